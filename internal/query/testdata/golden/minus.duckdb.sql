-- search on logs: -a -service:x
(NOT coalesce((contains(lower(Body), ?) AND regexp_matches(Body, ?)), FALSE) AND NOT coalesce(ServiceName ILIKE ? ESCAPE '\', FALSE))
-- args:
string "a"
string "(?i)(?:^|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])a(?:$|[^0-9A-Za-z\\x{80}-\\x{10FFFF}])"
string "%x%"
