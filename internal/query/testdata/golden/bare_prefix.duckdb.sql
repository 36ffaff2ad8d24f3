-- search on logs: pay*
(contains(lower(Body), ?) AND regexp_matches(Body, ?))
-- args:
string "pay"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])pay[0-9A-Za-z\\x{80}-\\x{10FFFF}]*"
