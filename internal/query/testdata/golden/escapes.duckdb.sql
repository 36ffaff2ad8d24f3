-- search on logs: with\ space:a\*b\:c
coalesce(map_extract_value(LogAttributes, ?), map_extract_value(ResourceAttributes, ?), map_extract_value(ScopeAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "with space"
string "with space"
string "with space"
string "%a*b:c%"
