-- search on logs: SeverityNumber:<=9
SeverityNumber <= ?
-- args:
int64 9
