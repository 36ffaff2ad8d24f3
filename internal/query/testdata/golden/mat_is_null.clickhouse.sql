-- sql on traces: SpanAttributes['db.system'] IS NULL OR SpanAttributes['rpc.service'] IS NOT NULL
(NOT ifNull(mapContains(SpanAttributes, ?), false) OR mapContains(SpanAttributes, ?))
-- args:
string "db.system"
string "rpc.service"
