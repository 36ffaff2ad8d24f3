-- search on traces: http.method:GET
coalesce(map_extract_value(SpanAttributes, ?), map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "http.method"
string "http.method"
string "http.method"
string "%GET%"
