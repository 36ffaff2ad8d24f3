-- sql on traces: SpanAttributes['app.payment.card_type'] = 'visa'
`__hdx_materialized_SpanAttributes.app.payment.card_type` = ?
-- args:
string "visa"
