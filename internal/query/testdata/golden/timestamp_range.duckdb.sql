-- search on logs: Timestamp:[2024-01-01 TO 2024-01-02T12:00:00Z}
(Timestamp >= ? AND Timestamp < ?)
-- args:
time.Time time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
time.Time time.Date(2024, time.January, 2, 12, 0, 0, 0, time.UTC)
