-- sql on traces: SpanAttributes['http.method'] = 'GET'
coalesce(map_extract_value(SpanAttributes, ?), '') = ?
-- args:
string "http.method"
string "GET"
