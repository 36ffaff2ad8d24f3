-- search on traces: k8s.namespace.name:otel-demo
multiIf(mapContains(SpanAttributes, ?), SpanAttributes[?], mapContains(ResourceAttributes, ?), `__hdx_materialized_k8s.namespace.name`, ScopeAttributes[?]) ILIKE ?
-- args:
string "k8s.namespace.name"
string "k8s.namespace.name"
string "k8s.namespace.name"
string "k8s.namespace.name"
string "%otel-demo%"
