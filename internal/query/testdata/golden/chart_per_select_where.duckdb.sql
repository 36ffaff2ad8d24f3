-- chart: {"source":"traces","select":[ {"aggFn":"count","where":"status:error","alias":"errors"}, {"aggFn":"count","aggCondition":"StatusCode != 'Error'","aggConditionLanguage":"sql","alias":"ok"}]}
-- statement 1, columns [0 2 2]
SELECT __b, CAST(count(*) FILTER (WHERE __c0) AS DOUBLE), CAST(count(*) FILTER (WHERE __c1) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, NULL AS __x0, coalesce(StatusCode = ?, FALSE) AS __c0, NULL AS __x1, coalesce(StatusCode != ?, FALSE) AS __c1, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "Error"
string "Error"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
