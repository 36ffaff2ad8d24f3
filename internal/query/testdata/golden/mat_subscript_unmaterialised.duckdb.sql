-- sql on traces: SpanAttributes['http.target'] = '/x'
coalesce(map_extract_value(SpanAttributes, ?), '') = ?
-- args:
string "http.target"
string "/x"
