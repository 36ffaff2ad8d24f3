-- chart: values source=logs field=service prefix=pay
-- statement 1, columns [1 2]
SELECT __v, CAST(count(*) AS DOUBLE) AS __n FROM (SELECT ServiceName AS __v FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ? LIMIT ?) WHERE __v <> '' AND __v ILIKE ? ESCAPE '\' GROUP BY __v ORDER BY starts_with(lower(__v), ?) DESC, __n DESC, __v LIMIT ?
-- args:
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 100000
string "%pay%"
string "pay"
int64 20
