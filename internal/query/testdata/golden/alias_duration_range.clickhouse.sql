-- search on traces: duration:[1.5 TO 2000]
(Duration >= ? AND Duration <= ?)
-- args:
int64 1500000
int64 2000000000
