-- search on traces: rpc.method:*
(("__hdx_materialized_SpanAttributes.rpc.method" IS NOT NULL) OR map_contains(ResourceAttributes, ?) OR map_contains(ScopeAttributes, ?))
-- args:
string "rpc.method"
string "rpc.method"
