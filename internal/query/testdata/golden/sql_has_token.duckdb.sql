-- sql on logs: hasTokenCaseInsensitive(Body, 'timeout')
(contains(lower(Body), ?) AND regexp_matches(Body, ?))
-- args:
string "timeout"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])timeout(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
