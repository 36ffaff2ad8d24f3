-- chart: {"source":"metrics","select":[{"aggFn":"increase","metricName":"http.server.requests","metricType":"sum", "where":"Attributes['http.status_code'] >= '500'","whereLanguage":"sql"}],"groupBy":"Attributes['http.route']"}
-- statement 1, columns [0 1 2]
SELECT __b, __g0, toFloat64(sumIf(__x0, __c0)) FROM (SELECT intDiv(toUnixTimestamp64Nano(TimeUnix), ?) * ? AS __b, Attributes[?] AS __g0, CASE WHEN AggregationTemporality = 1 THEN Value WHEN __pv IS NULL THEN NULL WHEN StartTimeUnix > __ps THEN Value WHEN IsMonotonic AND Value < __pv THEN Value ELSE Value - __pv END AS __x0, ifNull(Attributes[?] >= ?, false) AS __c0, toUnixTimestamp64Nano(TimeUnix) AS __t FROM (SELECT *, lagInFrame(toNullable(Value)) OVER __w AS __pv, lagInFrame(toNullable(StartTimeUnix)) OVER __w AS __ps FROM otel_metrics_sum WHERE TimeUnix >= ? AND TimeUnix < ? AND MetricName = ? WINDOW __w AS (PARTITION BY ServiceName, MetricName, cityHash64(Attributes), cityHash64(ResourceAttributes) ORDER BY TimeUnix)) WHERE toUnixTimestamp64Nano(TimeUnix) >= ?) GROUP BY __b, __g0 LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "http.route"
string "http.status_code"
string "500"
time.Time 2024-04-30T23:55:00Z
time.Time 2024-05-01T01:00:00Z
string "http.server.requests"
int64 1714521600000000000
int64 500001
