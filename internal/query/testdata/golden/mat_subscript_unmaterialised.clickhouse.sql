-- sql on traces: SpanAttributes['http.target'] = '/x'
SpanAttributes[?] = ?
-- args:
string "http.target"
string "/x"
