-- search on traces: SpanAttributes.http.route:*
("__hdx_materialized_SpanAttributes.http.route" IS NOT NULL)
-- args:
