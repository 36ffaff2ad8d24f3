-- search on logs: SeverityNumber:[17 TO *]
SeverityNumber >= ?
-- args:
int64 17
