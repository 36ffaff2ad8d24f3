-- search on logs: SeverityNumber:{1 TO 5}
(SeverityNumber > ? AND SeverityNumber < ?)
-- args:
int64 1
int64 5
