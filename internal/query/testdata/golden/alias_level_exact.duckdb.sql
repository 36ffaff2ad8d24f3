-- search on logs: level:"ERROR"
lower(SeverityText) = ?
-- args:
string "error"
