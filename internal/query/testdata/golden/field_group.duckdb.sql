-- search on logs: level:(error OR warn)
(regexp_matches(SeverityText, ?))
-- args:
string "(?i)(?:error|warn)"
