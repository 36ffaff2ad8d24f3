-- sql on traces: SpanAttributes['http.status_code'] IN (500, 503)
TRY_CAST(coalesce("__hdx_materialized_SpanAttributes.http.status_code", '') AS DOUBLE) IN (?, ?)
-- args:
int64 500
int64 503
