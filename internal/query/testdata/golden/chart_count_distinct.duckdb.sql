-- chart: {"source":"logs","displayType":"number","select":[{"aggFn":"count_distinct","valueExpression":"TraceId"}]}
-- statement 1, columns [0 2]
SELECT __b, CAST(count(DISTINCT __x0) AS DOUBLE) FROM (SELECT 0 AS __b, TraceId AS __x0, epoch_ns(Timestamp) AS __t FROM otel_logs WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 500001
