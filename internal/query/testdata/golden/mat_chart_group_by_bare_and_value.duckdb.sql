-- chart: {"source":"traces","where":"http.route:\"/api/cart\"","select":[{"aggFn":"count","valueExpression":"SpanAttributes.http.status_code", "where":"rpc.system:grpc"}],"groupBy":["k8s.pod.name","SpanAttributes.userEmail"]}
-- statement 1, columns [0 1 1 2]
SELECT __b, __g0, __g1, CAST(count(__x0) FILTER (WHERE __c0) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, coalesce(map_extract_value(SpanAttributes, ?), "__hdx_materialized_k8s.pod.name", map_extract_value(ScopeAttributes, ?), '') AS __g0, coalesce(map_extract_value(SpanAttributes, ?), '') AS __g1, coalesce("__hdx_materialized_SpanAttributes.http.status_code", '') AS __x0, coalesce(coalesce(map_extract_value(SpanAttributes, ?), map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\', FALSE) AS __c0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND coalesce("__hdx_materialized_SpanAttributes.http.route", map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') = ?) GROUP BY __b, __g0, __g1 LIMIT ?
-- args:
int64 900000000000
int64 900000000000
string "k8s.pod.name"
string "k8s.pod.name"
string "userEmail"
string "rpc.system"
string "rpc.system"
string "rpc.system"
string "%grpc%"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
string "http.route"
string "http.route"
string "/api/cart"
int64 500001
