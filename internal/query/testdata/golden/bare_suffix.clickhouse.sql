-- search on logs: *ment
(match(Body, ?))
-- args:
string "(?i)[0-9A-Za-z\\x{80}-\\x{10FFFF}]*ment(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
