-- search on logs: (a OR b) c
((regexp_matches(Body, ?)) AND (contains(lower(Body), ?) AND regexp_matches(Body, ?)))
-- args:
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])(?:a|b)(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
string "c"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])c(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
