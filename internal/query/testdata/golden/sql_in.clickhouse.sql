-- sql on logs: ServiceName IN ('a', 'b') AND SeverityText NOT IN ('x')
(ServiceName IN (?, ?) AND SeverityText NOT IN (?))
-- args:
string "a"
string "b"
string "x"
