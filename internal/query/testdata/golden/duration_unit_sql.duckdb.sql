-- sql on traces: Duration > 200ms AND Duration < '1.5s'
(Duration > ? AND Duration < ?)
-- args:
int64 200000000
int64 1500000000
