-- chart: {"source":"logs","select":[{"aggFn":"avg","valueExpression":"toFloat64(LogAttributes['latency'])"}]}
-- statement 1, columns [0 2 2]
SELECT __b, toFloat64(sum(__x0)), toFloat64(count(__x0)) FROM (SELECT intDiv(toUnixTimestamp64Nano(Timestamp), ?) * ? AS __b, toFloat64OrNull(LogAttributes[?]) AS __x0, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "latency"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
