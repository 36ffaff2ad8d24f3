-- search on logs: level:(error OR warn)
(SeverityText ILIKE ? ESCAPE '\' OR SeverityText ILIKE ? ESCAPE '\')
-- args:
string "%error%"
string "%warn%"
