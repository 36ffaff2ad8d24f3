-- search on logs: error
(contains(lower(Body), ?) AND regexp_matches(Body, ?))
-- args:
string "error"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])error(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
