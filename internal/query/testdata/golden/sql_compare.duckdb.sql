-- sql on logs: ServiceName = 'x' AND SeverityNumber >= 17
(ServiceName = ? AND SeverityNumber >= ?)
-- args:
string "x"
int64 17
