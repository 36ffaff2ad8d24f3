-- sql on traces: SpanAttributes['http.method'] = 'GET'
SpanAttributes[?] = ?
-- args:
string "http.method"
string "GET"
