-- search on traces: SpanAttributes.app.payment.card_type:visa
SpanAttributes[?] ILIKE ?
-- args:
string "app.payment.card_type"
string "%visa%"
