-- search on traces: SpanAttributes.http.method:*
mapContains(SpanAttributes, ?)
-- args:
string "http.method"
