-- chart: {"source":"traces","select":[{"aggFn":"max","valueExpression":"SpanAttributes['http.status_code']"}]}
-- statement 1, columns [0 2]
SELECT __b, toFloat64(max(__x0)) FROM (SELECT intDiv(toUnixTimestamp64Nano(Timestamp), ?) * ? AS __b, toFloat64OrNull(SpanAttributes[?]) AS __x0, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "http.status_code"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
