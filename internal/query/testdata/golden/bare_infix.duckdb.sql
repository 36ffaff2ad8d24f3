-- search on logs: p*t
(contains(lower(Body), ?) AND regexp_matches(Body, ?))
-- args:
string "p"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])p[0-9A-Za-z\\x{80}-\\x{10FFFF}]*t(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
