-- chart: {"source":"logs","whereLanguage":"sql","where":"SeverityNumber >= 17","select":[{"aggFn":"count"}],"granularity":"5 minute"}
-- statement 1, columns [0 2]
SELECT __b, CAST(count(*) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, NULL AS __x0, epoch_ns(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ? AND SeverityNumber >= ?) GROUP BY __b LIMIT ?
-- args:
int64 300000000000
int64 300000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 17
int64 500001
