-- sql on logs: lower(ServiceName) = 'x' AND length(Body) > 3 AND upper(SeverityText) = 'E'
(lower(ServiceName) = ? AND length(Body) > ? AND upper(SeverityText) = ?)
-- args:
string "x"
int64 3
string "E"
