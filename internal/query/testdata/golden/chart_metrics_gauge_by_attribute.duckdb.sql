-- chart: {"source":"metrics","metricName":"k8s.pod.memory.usage","metricType":"gauge","select":[ {"aggFn":"avg"},{"aggFn":"last_value"},{"aggFn":"quantile","level":0.9}],"groupBy":"ResourceAttributes['k8s.pod.name']"}
-- statement 1, columns [1 2]
SELECT __g0, CAST(avg(__x0) AS DOUBLE) AS __s FROM (SELECT epoch_ns(TimeUnix) // ? * ? AS __b, coalesce(map_extract_value(ResourceAttributes, ?), '') AS __g0, Value AS __x0, epoch_ns(TimeUnix) AS __t FROM otel_metrics_gauge WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ?) GROUP BY __g0 ORDER BY __s DESC NULLS LAST, __g0 LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "k8s.pod.name"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "k8s.pod.memory.usage"
int64 11
-- statement 2, columns [0 1 2 2]
SELECT __b, CASE WHEN __in THEN __g0 END AS __k0, CAST(sum(__x0) AS DOUBLE), CAST(count(__x0) AS DOUBLE) FROM (SELECT *, ((__g0 = ?) OR (__g0 = ?)) AS __in FROM (SELECT epoch_ns(TimeUnix) // ? * ? AS __b, coalesce(map_extract_value(ResourceAttributes, ?), '') AS __g0, Value AS __x0, epoch_ns(TimeUnix) AS __t FROM otel_metrics_gauge WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ?)) GROUP BY __b, __k0 LIMIT ?
-- args:
string "top0.0"
string "top1.0"
int64 30000000000
int64 30000000000
string "k8s.pod.name"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "k8s.pod.memory.usage"
int64 500001
-- statement 3, columns [0 1 2 2]
SELECT __b, CASE WHEN __in THEN __g0 END AS __k0, CAST(arg_max(__x1, __t) AS DOUBLE), CAST(max(__t) AS DOUBLE) FROM (SELECT *, ((__g0 = ?) OR (__g0 = ?)) AS __in FROM (SELECT epoch_ns(TimeUnix) // ? * ? AS __b, coalesce(map_extract_value(ResourceAttributes, ?), '') AS __g0, Value AS __x1, epoch_ns(TimeUnix) AS __t FROM otel_metrics_gauge WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ?)) GROUP BY __b, __k0 LIMIT ?
-- args:
string "top0.0"
string "top1.0"
int64 30000000000
int64 30000000000
string "k8s.pod.name"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "k8s.pod.memory.usage"
int64 500001
-- statement 4, columns [0 1 2]
SELECT __b, CASE WHEN __in THEN __g0 END AS __k0, CAST(quantile_cont(__x2, CAST(? AS DOUBLE)) AS DOUBLE) FROM (SELECT *, ((__g0 = ?) OR (__g0 = ?)) AS __in FROM (SELECT epoch_ns(TimeUnix) // ? * ? AS __b, coalesce(map_extract_value(ResourceAttributes, ?), '') AS __g0, Value AS __x2, epoch_ns(TimeUnix) AS __t FROM otel_metrics_gauge WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ?)) GROUP BY __b, __k0 LIMIT ?
-- args:
float64 0.9
string "top0.0"
string "top1.0"
int64 30000000000
int64 30000000000
string "k8s.pod.name"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "k8s.pod.memory.usage"
int64 500001
