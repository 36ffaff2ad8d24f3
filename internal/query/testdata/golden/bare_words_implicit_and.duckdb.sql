-- search on logs: payment failed
((contains(lower(Body), ?) AND regexp_matches(Body, ?)) AND (contains(lower(Body), ?) AND regexp_matches(Body, ?)))
-- args:
string "payment"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])payment(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
string "failed"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])failed(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
