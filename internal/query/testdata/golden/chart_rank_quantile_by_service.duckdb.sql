-- chart: {"source":"traces","limit":2,"select":[{"aggFn":"quantile","level":0.5,"valueExpression":"Duration"}], "groupBy":["ServiceName"]}
-- statement 1, columns [1 2]
SELECT __g0, CAST(quantile_cont(__x0, CAST(? AS DOUBLE)) AS DOUBLE) AS __s FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, coalesce(ServiceName, '') AS __g0, Duration AS __x0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __g0 ORDER BY __s DESC NULLS LAST, __g0 LIMIT ?
-- args:
float64 0.5
int64 900000000000
int64 900000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 3
-- statement 2, columns [0 1 2]
SELECT __b, CASE WHEN __in THEN __g0 END AS __k0, CAST(quantile_cont(__x0, CAST(? AS DOUBLE)) AS DOUBLE) FROM (SELECT *, ((__g0 = ?) OR (__g0 = ?)) AS __in FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, coalesce(ServiceName, '') AS __g0, Duration AS __x0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?)) GROUP BY __b, __k0 LIMIT ?
-- args:
float64 0.5
string "top0.0"
string "top1.0"
int64 900000000000
int64 900000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 500001
