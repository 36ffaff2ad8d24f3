-- chart: {"source":"logs","where":"level:error service:payment","select":[{"aggFn":"count"}],"granularity":"1 minute"}
-- statement 1, columns [0 2]
SELECT __b, CAST(count(*) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, NULL AS __x0, epoch_ns(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ? AND (SeverityText ILIKE ? ESCAPE '\' AND ServiceName ILIKE ? ESCAPE '\')) GROUP BY __b LIMIT ?
-- args:
int64 60000000000
int64 60000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "%error%"
string "%payment%"
int64 500001
