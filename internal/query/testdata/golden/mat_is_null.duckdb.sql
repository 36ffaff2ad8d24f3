-- sql on traces: SpanAttributes['db.system'] IS NULL OR SpanAttributes['rpc.service'] IS NOT NULL
(NOT coalesce(("__hdx_materialized_SpanAttributes.db.system" IS NOT NULL), FALSE) OR map_contains(SpanAttributes, ?))
-- args:
string "rpc.service"
