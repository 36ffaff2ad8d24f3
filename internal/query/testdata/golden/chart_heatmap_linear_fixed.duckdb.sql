-- chart: {"source":"logs","displayType":"heatmap","heatmap":{"bins":10,"scale":"linear","min":0,"max":2000}, "select":[{"aggFn":"count","valueExpression":"LogAttributes['latency']","where":"level:info"}]}
-- statement 1, columns [2 2]
SELECT CAST(min(__x0) AS DOUBLE), CAST(max(__x0) AS DOUBLE) FROM (SELECT __x0, __x0 > 0 AS __pos FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, TRY_CAST(coalesce(map_extract_value(LogAttributes, ?), '') AS DOUBLE) AS __x0, coalesce(SeverityText ILIKE ? ESCAPE '\', FALSE) AS __c0, epoch_ns(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?))
-- args:
int64 30000000000
int64 30000000000
string "latency"
string "%info%"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
-- statement 2, columns [0 0 2]
SELECT __b, least(greatest(CAST(floor((__x0 - CAST(? AS DOUBLE)) / CAST(? AS DOUBLE)) AS BIGINT), ?), ?) AS __y, CAST(count(*) FILTER (WHERE __c0) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, TRY_CAST(coalesce(map_extract_value(LogAttributes, ?), '') AS DOUBLE) AS __x0, coalesce(SeverityText ILIKE ? ESCAPE '\', FALSE) AS __c0, epoch_ns(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?) WHERE __x0 IS NOT NULL GROUP BY __b, __y LIMIT ?
-- args:
float64 1e+06
float64 9.99e+07
int64 0
int64 9
int64 30000000000
int64 30000000000
string "latency"
string "%info%"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
