-- search on logs: a OR b AND NOT c
((contains(lower(Body), ?) AND regexp_matches(Body, ?)) OR ((contains(lower(Body), ?) AND regexp_matches(Body, ?)) AND NOT coalesce((contains(lower(Body), ?) AND regexp_matches(Body, ?)), FALSE)))
-- args:
string "a"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])a(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
string "b"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])b(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
string "c"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])c(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
