-- search on logs: -userEmail:x
NOT coalesce(coalesce(map_extract_value(LogAttributes, ?), map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\', FALSE)
-- args:
string "userEmail"
string "userEmail"
string "userEmail"
string "%x%"
