-- sql on traces: SpanAttributes['http.status_code'] >= 500
toFloat64OrNull(SpanAttributes[?]) >= ?
-- args:
string "http.status_code"
int64 500
