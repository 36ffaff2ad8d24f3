-- chart: {"source":"logs","where":"level:error service:payment","select":[{"aggFn":"count"}],"granularity":"1 minute"}
-- statement 1, columns [0 2]
SELECT __b, toFloat64(count()) FROM (SELECT intDiv(toUnixTimestamp64Nano(Timestamp), ?) * ? AS __b, NULL AS __x0, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ? AND (SeverityText ILIKE ? AND ServiceName ILIKE ?)) GROUP BY __b LIMIT ?
-- args:
int64 60000000000
int64 60000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "%error%"
string "%payment%"
int64 500001
