-- series: select[0] / select[1] per bucket and group, divided after the statements below (chart_ratio.go)
-- chart: {"source":"traces","seriesReturnType":"ratio","displayType":"table","limit":2,"groupBy":["ServiceName"],"select":[ {"aggFn":"p99","valueExpression":"Duration"},{"aggFn":"p50","valueExpression":"Duration"}]}
-- statement 1, columns [1 2]
SELECT __g0, CAST(quantile_cont(__x0, CAST(? AS DOUBLE)) AS DOUBLE) AS __s FROM (SELECT 0 AS __b, coalesce(ServiceName, '') AS __g0, Duration AS __x0, Duration AS __x1, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __g0 ORDER BY __s DESC NULLS LAST, __g0 LIMIT ?
-- args:
float64 0.99
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 3
-- statement 2, columns [0 1 2 2]
SELECT __b, CASE WHEN __in THEN __g0 END AS __k0, CAST(quantile_cont(__x0, CAST(? AS DOUBLE)) AS DOUBLE), CAST(quantile_cont(__x1, CAST(? AS DOUBLE)) AS DOUBLE) FROM (SELECT *, ((__g0 = ?) OR (__g0 = ?)) AS __in FROM (SELECT 0 AS __b, coalesce(ServiceName, '') AS __g0, Duration AS __x0, Duration AS __x1, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?)) GROUP BY __b, __k0 LIMIT ?
-- args:
float64 0.99
float64 0.5
string "top0.0"
string "top1.0"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 500001
