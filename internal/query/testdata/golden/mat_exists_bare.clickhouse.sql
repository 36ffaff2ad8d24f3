-- search on traces: rpc.method:*
(mapContains(SpanAttributes, ?) OR mapContains(ResourceAttributes, ?) OR mapContains(ScopeAttributes, ?))
-- args:
string "rpc.method"
string "rpc.method"
string "rpc.method"
