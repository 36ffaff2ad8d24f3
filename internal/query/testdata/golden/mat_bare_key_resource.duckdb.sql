-- search on traces: k8s.namespace.name:otel-demo
coalesce(map_extract_value(SpanAttributes, ?), "__hdx_materialized_k8s.namespace.name", map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "k8s.namespace.name"
string "k8s.namespace.name"
string "%otel-demo%"
