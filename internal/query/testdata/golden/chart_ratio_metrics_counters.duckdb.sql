-- series: select[0] / select[1] per bucket and group, divided after the statements below (chart_ratio.go)
-- chart: {"source":"metrics","seriesReturnType":"ratio","granularity":"1 minute","select":[ {"aggFn":"increase","metricName":"http.server.errors","metricType":"sum"},{"aggFn":"increase","metricName":"http.server.requests","metricType":"sum"}]}
-- statement 1, columns [0 2]
SELECT __b, CAST(sum(__x0) AS DOUBLE) FROM (SELECT epoch_ns(TimeUnix) // ? * ? AS __b, CASE WHEN AggregationTemporality = 1 THEN Value WHEN __pv IS NULL THEN NULL WHEN StartTimeUnix > __ps THEN Value WHEN IsMonotonic AND Value < __pv THEN Value ELSE Value - __pv END AS __x0, epoch_ns(TimeUnix) AS __t FROM (SELECT *, lag(Value) OVER __w AS __pv, lag(StartTimeUnix) OVER __w AS __ps FROM otel_metrics_sum WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ? WINDOW __w AS (PARTITION BY ServiceName, MetricName, Attributes, ResourceAttributes ORDER BY TimeUnix)) WHERE epoch_ns(TimeUnix) >= ?) GROUP BY __b LIMIT ?
-- args:
int64 60000000000
int64 60000000000
time.Time 2024-04-30T23:55:00Z
time.Time 2024-05-01T01:00:00Z
string "http.server.errors"
int64 1714521600000000000
int64 500001
-- statement 2, columns [0 2]
SELECT __b, CAST(sum(__x1) AS DOUBLE) FROM (SELECT epoch_ns(TimeUnix) // ? * ? AS __b, CASE WHEN AggregationTemporality = 1 THEN Value WHEN __pv IS NULL THEN NULL WHEN StartTimeUnix > __ps THEN Value WHEN IsMonotonic AND Value < __pv THEN Value ELSE Value - __pv END AS __x1, epoch_ns(TimeUnix) AS __t FROM (SELECT *, lag(Value) OVER __w AS __pv, lag(StartTimeUnix) OVER __w AS __ps FROM otel_metrics_sum WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ? WINDOW __w AS (PARTITION BY ServiceName, MetricName, Attributes, ResourceAttributes ORDER BY TimeUnix)) WHERE epoch_ns(TimeUnix) >= ?) GROUP BY __b LIMIT ?
-- args:
int64 60000000000
int64 60000000000
time.Time 2024-04-30T23:55:00Z
time.Time 2024-05-01T01:00:00Z
string "http.server.requests"
int64 1714521600000000000
int64 500001
