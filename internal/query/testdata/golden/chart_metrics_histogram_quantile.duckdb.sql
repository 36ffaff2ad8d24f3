-- chart: {"source":"metrics","select":[{"aggFn":"quantile","level":0.95,"metricName":"http.server.duration","metricType":"histogram"}], "groupBy":"ServiceName"}
-- statement 1, columns [0 1 3 3 2 2]
SELECT * FROM (SELECT __b, __g0, ExplicitBounds AS __bounds, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL WHEN AggregationTemporality = 1 OR StartTimeUnix > __ps OR Count < __pc OR len(BucketCounts) <> len(__pb) THEN CAST(BucketCounts AS DOUBLE[]) ELSE list_transform(list_zip(BucketCounts, __pb), lambda __p: CAST(__p[1] AS DOUBLE) - CAST(__p[2] AS DOUBLE)) END AS __counts, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL WHEN AggregationTemporality = 1 OR StartTimeUnix > __ps OR Count < __pc OR len(BucketCounts) <> len(__pb) THEN CAST(Count AS DOUBLE) ELSE CAST(Count AS DOUBLE) - CAST(__pc AS DOUBLE) END AS __cnt, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL WHEN AggregationTemporality = 1 OR StartTimeUnix > __ps OR Count < __pc OR len(BucketCounts) <> len(__pb) THEN Sum ELSE Sum - __psum END AS __sum FROM (SELECT epoch_ns(TimeUnix) // ? * ? AS __b, coalesce(ServiceName, '') AS __g0, NULL AS __x0, epoch_ns(TimeUnix) AS __t, AggregationTemporality, StartTimeUnix, TimeUnix, Count, Sum, BucketCounts, ExplicitBounds, lag(BucketCounts) OVER __w AS __pb, lag(Count) OVER __w AS __pc, lag(Sum) OVER __w AS __psum, lag(StartTimeUnix) OVER __w AS __ps FROM otel_metrics_histogram WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ? WINDOW __w AS (PARTITION BY ServiceName, MetricName, Attributes, ResourceAttributes ORDER BY TimeUnix)) WHERE epoch_ns(TimeUnix) >= ?) WHERE __counts IS NOT NULL LIMIT ?
-- args:
int64 30000000000
int64 30000000000
time.Time 2024-04-30T23:55:00Z
time.Time 2024-05-01T01:00:00Z
string "http.server.duration"
int64 1714521600000000000
int64 500001
