-- search on logs: SeverityNumber:>16.5
SeverityNumber > ?
-- args:
float64 16.5
