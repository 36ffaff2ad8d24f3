-- search on traces: SpanAttributes.http.route:"/api/cart"
`__hdx_materialized_SpanAttributes.http.route` = ?
-- args:
string "/api/cart"
