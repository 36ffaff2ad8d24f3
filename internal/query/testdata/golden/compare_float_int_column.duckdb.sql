-- search on logs: SeverityNumber:>16.5
SeverityNumber > CAST(? AS DOUBLE)
-- args:
float64 16.5
