-- search on traces: SpanAttributes.app.payment.card_type:visa
coalesce(map_extract_value(SpanAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "app.payment.card_type"
string "%visa%"
