-- search on logs: -host.name:node-1
NOT ifNull(multiIf(mapContains(LogAttributes, ?), LogAttributes[?], mapContains(ResourceAttributes, ?), `__hdx_materialized_host.name`, ScopeAttributes[?]) ILIKE ?, false)
-- args:
string "host.name"
string "host.name"
string "host.name"
string "host.name"
string "%node-1%"
