-- search on traces: http.status_code:>499
TRY_CAST(coalesce(map_extract_value(SpanAttributes, ?), map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') AS DOUBLE) > ?
-- args:
string "http.status_code"
string "http.status_code"
string "http.status_code"
int64 499
