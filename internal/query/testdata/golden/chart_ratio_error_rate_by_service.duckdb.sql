-- series: select[0] / select[1] per bucket and group, divided after the statements below (chart_ratio.go)
-- chart: {"source":"traces","seriesReturnType":"ratio","where":"SpanKind:Server","groupBy":"ServiceName","select":[ {"aggFn":"count","aggCondition":"StatusCode:Error","alias":"errors"},{"aggFn":"count","alias":"requests"}]}
-- statement 1, columns [0 1 2 2]
SELECT __b, __g0, CAST(count(*) FILTER (WHERE __c0) AS DOUBLE), CAST(count(*) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, coalesce(ServiceName, '') AS __g0, NULL AS __x0, coalesce(StatusCode ILIKE ? ESCAPE '\', FALSE) AS __c0, NULL AS __x1, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND SpanKind ILIKE ? ESCAPE '\') GROUP BY __b, __g0 LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "%Error%"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "%Server%"
int64 500001
