-- search on logs: api/v1.users
(contains(lower(Body), ?) AND regexp_matches(Body, ?))
-- args:
string "api/v1.users"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])api/v1\\.users(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
