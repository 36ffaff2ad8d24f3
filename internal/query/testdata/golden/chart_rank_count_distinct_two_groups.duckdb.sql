-- chart: {"source":"logs","limit":2,"displayType":"table","select":[{"aggFn":"count_distinct","valueExpression":"TraceId"},{"aggFn":"count"}], "groupBy":["ServiceName","SeverityText"]}
-- statement 1, columns [1 1 2]
SELECT __g0, __g1, CAST(count(DISTINCT __x0) AS DOUBLE) AS __s FROM (SELECT 0 AS __b, coalesce(ServiceName, '') AS __g0, coalesce(SeverityText, '') AS __g1, TraceId AS __x0, NULL AS __x1, epoch_ns(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __g0, __g1 ORDER BY __s DESC NULLS LAST, __g0, __g1 LIMIT ?
-- args:
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 3
-- statement 2, columns [0 1 1 2 2]
SELECT __b, CASE WHEN __in THEN __g0 END AS __k0, CASE WHEN __in THEN __g1 END AS __k1, CAST(count(DISTINCT __x0) AS DOUBLE), CAST(count(*) AS DOUBLE) FROM (SELECT *, ((__g0 = ? AND __g1 = ?) OR (__g0 = ? AND __g1 = ?)) AS __in FROM (SELECT 0 AS __b, coalesce(ServiceName, '') AS __g0, coalesce(SeverityText, '') AS __g1, TraceId AS __x0, NULL AS __x1, epoch_ns(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?)) GROUP BY __b, __k0, __k1 LIMIT ?
-- args:
string "top0.0"
string "top0.1"
string "top1.0"
string "top1.1"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 500001
