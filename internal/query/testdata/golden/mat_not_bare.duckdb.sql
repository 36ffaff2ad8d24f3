-- search on logs: -host.name:node-1
NOT coalesce(coalesce(map_extract_value(LogAttributes, ?), "__hdx_materialized_host.name", map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\', FALSE)
-- args:
string "host.name"
string "host.name"
string "%node-1%"
