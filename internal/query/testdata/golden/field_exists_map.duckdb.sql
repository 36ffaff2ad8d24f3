-- search on traces: SpanAttributes.http.method:*
map_contains(SpanAttributes, ?)
-- args:
string "http.method"
