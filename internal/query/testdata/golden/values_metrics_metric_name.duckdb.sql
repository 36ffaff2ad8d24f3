-- chart: values source=metrics field=MetricName prefix=cache
-- statement 1, columns [1 2]
SELECT __v, CAST(count(*) AS DOUBLE) AS __n FROM (SELECT MetricName AS __v FROM otel_metrics_gauge WHERE TimeUnix >= ? AND TimeUnix < ? LIMIT ?) WHERE __v <> '' AND __v ILIKE ? ESCAPE '\' GROUP BY __v ORDER BY starts_with(lower(__v), ?) DESC, __n DESC, __v LIMIT ?
-- args:
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 100000
string "%cache%"
string "cache"
int64 20
-- statement 2, columns [1 2]
SELECT __v, CAST(count(*) AS DOUBLE) AS __n FROM (SELECT MetricName AS __v FROM otel_metrics_sum WHERE TimeUnix >= ? AND TimeUnix < ? LIMIT ?) WHERE __v <> '' AND __v ILIKE ? ESCAPE '\' GROUP BY __v ORDER BY starts_with(lower(__v), ?) DESC, __n DESC, __v LIMIT ?
-- args:
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 100000
string "%cache%"
string "cache"
int64 20
-- statement 3, columns [1 2]
SELECT __v, CAST(count(*) AS DOUBLE) AS __n FROM (SELECT MetricName AS __v FROM otel_metrics_histogram WHERE TimeUnix >= ? AND TimeUnix < ? LIMIT ?) WHERE __v <> '' AND __v ILIKE ? ESCAPE '\' GROUP BY __v ORDER BY starts_with(lower(__v), ?) DESC, __n DESC, __v LIMIT ?
-- args:
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 100000
string "%cache%"
string "cache"
int64 20
