-- search on logs: level:(error OR warn)
(SeverityText ILIKE ? OR SeverityText ILIKE ?)
-- args:
string "%error%"
string "%warn%"
