-- search on logs: userEmail:a*e
coalesce(map_extract_value(LogAttributes, ?), map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "userEmail"
string "userEmail"
string "userEmail"
string "a%e"
