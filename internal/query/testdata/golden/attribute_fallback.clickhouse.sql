-- search on traces: http.method:GET
multiIf(mapContains(SpanAttributes, ?), SpanAttributes[?], mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) ILIKE ?
-- args:
string "http.method"
string "http.method"
string "http.method"
string "http.method"
string "http.method"
string "%GET%"
