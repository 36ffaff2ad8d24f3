-- search on traces: SpanAttributes.rpc.system:*
mapContains(SpanAttributes, ?)
-- args:
string "rpc.system"
