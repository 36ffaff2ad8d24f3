-- chart: {"source":"logs","select":[{"aggFn":"count","valueExpression":"LogAttributes['userEmail']"}],"displayType":"number"}
-- statement 1, columns [0 2]
SELECT __b, toFloat64(count(__x0)) FROM (SELECT 0 AS __b, LogAttributes[?] AS __x0, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
string "userEmail"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
