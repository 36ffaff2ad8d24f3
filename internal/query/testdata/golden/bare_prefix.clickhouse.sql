-- search on logs: pay*
(match(Body, ?))
-- args:
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])pay[0-9A-Za-z\\x{80}-\\x{10FFFF}]*"
