-- chart: {"source":"traces","select":[ {"aggFn":"count","where":"status:error","alias":"errors"}, {"aggFn":"count","aggCondition":"StatusCode != 'Error'","aggConditionLanguage":"sql","alias":"ok"}]}
-- statement 1, columns [0 2 2]
SELECT __b, toFloat64(countIf(__c0)), toFloat64(countIf(__c1)) FROM (SELECT intDiv(toUnixTimestamp64Nano(Timestamp), ?) * ? AS __b, NULL AS __x0, ifNull(StatusCode = ?, false) AS __c0, NULL AS __x1, ifNull(StatusCode != ?, false) AS __c1, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "Error"
string "Error"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
