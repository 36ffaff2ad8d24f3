-- search on traces: SpanAttributes.http.status_code:[200 TO 299]
(toFloat64OrNull(SpanAttributes[?]) >= ? AND toFloat64OrNull(SpanAttributes[?]) <= ?)
-- args:
string "http.status_code"
int64 200
string "http.status_code"
int64 299
