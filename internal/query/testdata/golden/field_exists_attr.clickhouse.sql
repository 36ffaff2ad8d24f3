-- search on traces: http.method:*
(mapContains(SpanAttributes, ?) OR mapContains(ResourceAttributes, ?) OR mapContains(ScopeAttributes, ?))
-- args:
string "http.method"
string "http.method"
string "http.method"
