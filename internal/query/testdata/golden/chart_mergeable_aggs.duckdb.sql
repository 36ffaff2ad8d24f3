-- chart: {"source":"traces","displayType":"table","select":[ {"aggFn":"sum","valueExpression":"Duration"},{"aggFn":"avg","valueExpression":"Duration"}, {"aggFn":"min","valueExpression":"Duration"},{"aggFn":"max","valueExpression":"Duration"}, {"aggFn":"any","valueExpression":"Duration"},{"aggFn":"last_value","valueExpression":"Duration"}]}
-- statement 1, columns [0 2 2 2 2 2 2 2 2]
SELECT __b, CAST(sum(__x0) AS DOUBLE), CAST(sum(__x1) AS DOUBLE), CAST(count(__x1) AS DOUBLE), CAST(min(__x2) AS DOUBLE), CAST(max(__x3) AS DOUBLE), CAST(any_value(__x4) AS DOUBLE), CAST(arg_max(__x5, __t) AS DOUBLE), CAST(max(__t) AS DOUBLE) FROM (SELECT 0 AS __b, Duration AS __x0, Duration AS __x1, Duration AS __x2, Duration AS __x3, Duration AS __x4, Duration AS __x5, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
int64 500001
