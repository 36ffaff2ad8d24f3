-- search on traces: http.method:GET
coalesce("__hdx_materialized_SpanAttributes.http.method", map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "http.method"
string "http.method"
string "%GET%"
