-- chart: {"source":"traces","where":"ServiceName:payment","select":[{"aggFn":"max","valueExpression":"Duration"}], "groupBy":"SpanAttributes['app.payment.card_type']"}
-- statement 1, columns [0 1 2]
SELECT __b, __g0, toFloat64(max(__x0)) FROM (SELECT intDiv(toUnixTimestamp64Nano(Timestamp), ?) * ? AS __b, `__hdx_materialized_SpanAttributes.app.payment.card_type` AS __g0, Duration AS __x0, toUnixTimestamp64Nano(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND ServiceName ILIKE ?) GROUP BY __b, __g0 LIMIT ?
-- args:
int64 900000000000
int64 900000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
string "%payment%"
int64 500001
