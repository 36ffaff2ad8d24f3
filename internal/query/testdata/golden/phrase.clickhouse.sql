-- search on logs: "card declined"
Body ILIKE ?
-- args:
string "%card declined%"
