-- search on traces: SpanAttributes.rpc.system:*
map_contains(SpanAttributes, ?)
-- args:
string "rpc.system"
