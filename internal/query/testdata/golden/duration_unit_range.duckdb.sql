-- search on traces: Duration:[100ms TO 1s]
(Duration >= ? AND Duration <= ?)
-- args:
int64 100000000
int64 1000000000
