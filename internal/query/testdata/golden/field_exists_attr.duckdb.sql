-- search on traces: http.method:*
(map_contains(SpanAttributes, ?) OR map_contains(ResourceAttributes, ?) OR map_contains(ScopeAttributes, ?))
-- args:
string "http.method"
string "http.method"
string "http.method"
