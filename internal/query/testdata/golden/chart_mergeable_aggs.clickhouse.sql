-- chart: {"source":"traces","displayType":"table","select":[ {"aggFn":"sum","valueExpression":"Duration"},{"aggFn":"avg","valueExpression":"Duration"}, {"aggFn":"min","valueExpression":"Duration"},{"aggFn":"max","valueExpression":"Duration"}, {"aggFn":"any","valueExpression":"Duration"},{"aggFn":"last_value","valueExpression":"Duration"}]}
-- statement 1, columns [0 2 2 2 2 2 2 2 2]
SELECT __b, toFloat64(sum(__x0)), toFloat64(sum(__x1)), toFloat64(count(__x1)), toFloat64(min(__x2)), toFloat64(max(__x3)), toFloat64(any(__x4)), toFloat64(argMax(__x5, __t)), toFloat64(max(__t)) FROM (SELECT 0 AS __b, Duration AS __x0, Duration AS __x1, Duration AS __x2, Duration AS __x3, Duration AS __x4, Duration AS __x5, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 500001
