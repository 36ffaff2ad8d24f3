-- chart: {"source":"traces","select":[{"aggFn":"count"}],"granularity":"1 day"}
-- statement 1, columns [0 2]
SELECT __b, CAST(count(*) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, NULL AS __x0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
int64 86400000000000
int64 86400000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-31T00:00:00Z
int64 500001
