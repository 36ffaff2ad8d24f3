-- search on traces: SpanAttributes.http.status_code:[200 TO 299]
(TRY_CAST(coalesce(map_extract_value(SpanAttributes, ?), '') AS DOUBLE) >= ? AND TRY_CAST(coalesce(map_extract_value(SpanAttributes, ?), '') AS DOUBLE) <= ?)
-- args:
string "http.status_code"
int64 200
string "http.status_code"
int64 299
