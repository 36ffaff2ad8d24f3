-- sql on traces: SpanAttributes['http.status_code'] >= 500
TRY_CAST(coalesce(map_extract_value(SpanAttributes, ?), '') AS DOUBLE) >= ?
-- args:
string "http.status_code"
int64 500
