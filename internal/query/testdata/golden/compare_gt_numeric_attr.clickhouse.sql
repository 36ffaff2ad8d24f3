-- search on traces: http.status_code:>499
toFloat64OrNull(multiIf(mapContains(SpanAttributes, ?), SpanAttributes[?], mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?])) > ?
-- args:
string "http.status_code"
string "http.status_code"
string "http.status_code"
string "http.status_code"
string "http.status_code"
int64 499
