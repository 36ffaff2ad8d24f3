-- chart: {"source":"metrics","select":[{"aggFn":"quantile","level":0.95,"metricName":"http.server.duration","metricType":"histogram"}], "groupBy":"ServiceName"}
-- statement 1, columns [0 1 3 3 2 2]
SELECT * FROM (SELECT __b, __g0, ExplicitBounds AS __bounds, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL WHEN AggregationTemporality = 1 OR StartTimeUnix > __ps OR Count < __pc OR length(BucketCounts) <> length(__pb) THEN arrayMap(__a -> toFloat64(__a), BucketCounts) ELSE arrayMap((__a, __b) -> toFloat64(__a) - toFloat64(__b), BucketCounts, __pb) END AS __counts, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL WHEN AggregationTemporality = 1 OR StartTimeUnix > __ps OR Count < __pc OR length(BucketCounts) <> length(__pb) THEN toFloat64(Count) ELSE toFloat64(Count) - toFloat64(__pc) END AS __cnt, CASE WHEN __pc IS NULL AND AggregationTemporality <> 1 THEN NULL WHEN AggregationTemporality = 1 OR StartTimeUnix > __ps OR Count < __pc OR length(BucketCounts) <> length(__pb) THEN Sum ELSE Sum - __psum END AS __sum FROM (SELECT intDiv(toUnixTimestamp64Nano(TimeUnix), ?) * ? AS __b, coalesce(ServiceName, '') AS __g0, NULL AS __x0, toUnixTimestamp64Nano(TimeUnix) AS __t, AggregationTemporality, StartTimeUnix, TimeUnix, Count, Sum, BucketCounts, ExplicitBounds, lagInFrame(BucketCounts) OVER __w AS __pb, lagInFrame(toNullable(Count)) OVER __w AS __pc, lagInFrame(toNullable(Sum)) OVER __w AS __psum, lagInFrame(toNullable(StartTimeUnix)) OVER __w AS __ps FROM otel_metrics_histogram WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ? WINDOW __w AS (PARTITION BY ServiceName, MetricName, cityHash64(Attributes), cityHash64(ResourceAttributes) ORDER BY TimeUnix)) WHERE toUnixTimestamp64Nano(TimeUnix) >= ?) WHERE __counts IS NOT NULL LIMIT ?
-- args:
int64 30000000000
int64 30000000000
time.Time 2024-04-30T23:55:00Z
time.Time 2024-05-01T01:00:00Z
string "http.server.duration"
int64 1714521600000000000
int64 500001
