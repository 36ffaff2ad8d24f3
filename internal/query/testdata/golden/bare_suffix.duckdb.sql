-- search on logs: *ment
(contains(lower(Body), ?) AND regexp_matches(Body, ?))
-- args:
string "ment"
string "(?i)[0-9A-Za-z\\x{80}-\\x{10FFFF}]*ment(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
