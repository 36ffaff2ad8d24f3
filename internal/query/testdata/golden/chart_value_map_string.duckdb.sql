-- chart: {"source":"traces","select":[{"aggFn":"max","valueExpression":"SpanAttributes['http.status_code']"}]}
-- statement 1, columns [0 2]
SELECT __b, CAST(max(__x0) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, TRY_CAST(coalesce(map_extract_value(SpanAttributes, ?), '') AS DOUBLE) AS __x0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ?) GROUP BY __b LIMIT ?
-- args:
int64 30000000000
int64 30000000000
string "http.status_code"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 500001
