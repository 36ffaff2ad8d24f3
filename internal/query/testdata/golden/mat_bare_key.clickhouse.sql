-- search on traces: http.method:GET
multiIf(mapContains(SpanAttributes, ?), `__hdx_materialized_SpanAttributes.http.method`, mapContains(ResourceAttributes, ?), ResourceAttributes[?], ScopeAttributes[?]) ILIKE ?
-- args:
string "http.method"
string "http.method"
string "http.method"
string "http.method"
string "%GET%"
