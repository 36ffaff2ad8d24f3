-- search on logs: "card declined"
Body ILIKE ? ESCAPE '\'
-- args:
string "%card declined%"
