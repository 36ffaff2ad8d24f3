-- chart: {"source":"traces","displayType":"heatmap","select":[{"aggFn":"count","valueExpression":"Duration"}],"where":"service:payment"}
-- statement 1, columns [2 2]
SELECT CAST(min(__x0) FILTER (WHERE __pos) AS DOUBLE), CAST(max(__x0) AS DOUBLE) FROM (SELECT __x0, __x0 > 0 AS __pos FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, Duration AS __x0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND ServiceName ILIKE ? ESCAPE '\'))
-- args:
int64 30000000000
int64 30000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "%payment%"
-- statement 2, columns [0 0 2]
SELECT __b, least(greatest(CAST(floor((ln(__x0) - CAST(? AS DOUBLE)) / CAST(? AS DOUBLE)) AS BIGINT), ?), ?) AS __y, CAST(count(*) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, Duration AS __x0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND ServiceName ILIKE ? ESCAPE '\') WHERE __x0 IS NOT NULL AND __x0 > 0 GROUP BY __b, __y LIMIT ?
-- args:
float64 13.815510557964274
float64 0.17269388197455343
int64 0
int64 39
int64 30000000000
int64 30000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "%payment%"
int64 500001
