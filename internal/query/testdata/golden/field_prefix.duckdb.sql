-- search on logs: LogAttributes.userEmail:Braulio*
coalesce(map_extract_value(LogAttributes, ?), '') ILIKE ? ESCAPE '\'
-- args:
string "userEmail"
string "Braulio%"
