-- search on traces: Duration:>200ms
Duration > ?
-- args:
int64 200000000
