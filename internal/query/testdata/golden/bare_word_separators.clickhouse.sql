-- search on logs: api/v1.users
(hasTokenCaseInsensitive(Body, ?) AND hasTokenCaseInsensitive(Body, ?) AND hasTokenCaseInsensitive(Body, ?) AND match(Body, ?))
-- args:
string "api"
string "v1"
string "users"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])api/v1\\.users(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
