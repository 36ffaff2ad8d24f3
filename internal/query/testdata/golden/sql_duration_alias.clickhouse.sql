-- sql on traces: duration > 100
Duration > ?
-- args:
int64 100000000
