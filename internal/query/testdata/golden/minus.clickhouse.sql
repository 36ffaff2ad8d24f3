-- search on logs: -a -service:x
(NOT ifNull((hasTokenCaseInsensitive(Body, ?)), false) AND NOT ifNull(ServiceName ILIKE ?, false))
-- args:
string "a"
string "%x%"
