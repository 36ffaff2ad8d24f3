-- sql on traces: SpanAttributes['http.status_code'] IN (500, 503)
toFloat64OrNull(`__hdx_materialized_SpanAttributes.http.status_code`) IN (?, ?)
-- args:
int64 500
int64 503
