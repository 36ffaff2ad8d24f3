-- sql on traces: Duration BETWEEN 1000 AND 2000
(Duration >= ? AND Duration <= ?)
-- args:
int64 1000
int64 2000
