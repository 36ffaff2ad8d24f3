-- series: select[0] / select[1] per bucket and group, divided after the statements below (chart_ratio.go)
-- chart: {"source":"traces","seriesReturnType":"ratio","where":"SpanKind:Server","groupBy":"ServiceName","select":[ {"aggFn":"count","aggCondition":"StatusCode:Error","alias":"errors"},{"aggFn":"count","alias":"requests"}]}
-- statement 1, columns [0 1 2 2]
SELECT __b, __g0, toFloat64(countIf(__c0)), toFloat64(count()) FROM (SELECT intDiv(toUnixTimestamp64Nano(Timestamp), ?) * ? AS __b, coalesce(ServiceName, '') AS __g0, NULL AS __x0, ifNull(StatusCode ILIKE ?, false) AS __c0, NULL AS __x1, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND SpanKind ILIKE ?) GROUP BY __b, __g0 LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "%Error%"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
string "%Server%"
int64 500001
