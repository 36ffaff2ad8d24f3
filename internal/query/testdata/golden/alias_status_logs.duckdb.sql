-- search on logs: status:error
(SeverityNumber >= ? OR lower(SeverityText) IN (?, ?, ?, ?, ?, ?, ?, ?, ?))
-- args:
int64 17
string "error"
string "err"
string "fatal"
string "critical"
string "crit"
string "alert"
string "emerg"
string "emergency"
string "panic"
