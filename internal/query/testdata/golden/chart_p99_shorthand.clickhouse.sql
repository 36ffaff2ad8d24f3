-- chart: {"source":"traces","displayType":"number","select":[{"aggFn":"p99","valueExpression":"duration"}]}
-- statement 1, columns [0 2]
SELECT __b, toFloat64(quantile(?)(__x0)) FROM (SELECT 0 AS __b, (Duration / 1000000.0) AS __x0, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
float64 0.99
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 500001
