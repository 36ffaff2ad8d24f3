-- search on traces: SpanAttributes.http.route:*
mapContains(SpanAttributes, ?)
-- args:
string "http.route"
