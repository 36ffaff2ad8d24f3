-- search on logs: userEmail:*@example.com
coalesce(map_extract_value(LogAttributes, ?), map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "userEmail"
string "userEmail"
string "userEmail"
string "%@example.com"
