-- chart: {"source":"traces","select":[{"aggFn":"count"}],"groupBy":"ServiceName, SpanAttributes.http.method"}
-- statement 1, columns [0 1 1 2]
SELECT __b, __g0, __g1, CAST(count(*) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, coalesce(ServiceName, '') AS __g0, coalesce(map_extract_value(SpanAttributes, ?), '') AS __g1, NULL AS __x0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b, __g0, __g1 LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "http.method"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
