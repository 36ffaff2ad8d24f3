-- chart: {"source":"traces","where":"http.route:\"/api/cart\"","select":[{"aggFn":"count","valueExpression":"SpanAttributes.http.status_code", "where":"rpc.system:grpc"}],"groupBy":["k8s.pod.name","SpanAttributes.userEmail"]}
-- statement 1, columns [0 1 1 2]
SELECT __b, __g0, __g1, toFloat64(countIf(__x0, __c0)) FROM (SELECT intDiv(toUnixTimestamp64Nano(Timestamp), ?) * ? AS __b, multiIf(mapContains(SpanAttributes, ?), SpanAttributes[?], mapContains(ResourceAttributes, ?), `__hdx_materialized_k8s.pod.name`, ScopeAttributes[?]) AS __g0, SpanAttributes[?] AS __g1, `__hdx_materialized_SpanAttributes.http.status_code` AS __x0, ifNull(multiIf(mapContains(SpanAttributes, ?), SpanAttributes[?], mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) ILIKE ?, false) AS __c0, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND multiIf(mapContains(SpanAttributes, ?), `__hdx_materialized_SpanAttributes.http.route`, mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) = ?) GROUP BY __b, __g0, __g1 LIMIT ?
-- args:
int64 900000000000
int64 900000000000
string "k8s.pod.name"
string "k8s.pod.name"
string "k8s.pod.name"
string "k8s.pod.name"
string "userEmail"
string "rpc.system"
string "rpc.system"
string "rpc.system"
string "rpc.system"
string "rpc.system"
string "%grpc%"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
string "http.route"
string "http.route"
string "http.route"
string "http.route"
string "/api/cart"
int64 500001
