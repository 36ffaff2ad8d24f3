-- chart: {"source":"metrics","select":[{"aggFn":"max","metricName":"queue.depth","metricType":"sum"}]}
-- statement 1, columns [0 2]
SELECT __b, CAST(max(__x0) AS DOUBLE) FROM (SELECT epoch_ns(TimeUnix) // ? * ? AS __b, Value AS __x0, epoch_ns(TimeUnix) AS __t FROM otel_metrics_sum WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ?) GROUP BY __b LIMIT ?
-- args:
int64 30000000000
int64 30000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "queue.depth"
int64 500001
