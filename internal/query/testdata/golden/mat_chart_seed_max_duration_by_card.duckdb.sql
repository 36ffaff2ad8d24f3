-- chart: {"source":"traces","where":"ServiceName:payment","select":[{"aggFn":"max","valueExpression":"Duration"}], "groupBy":"SpanAttributes['app.payment.card_type']"}
-- statement 1, columns [0 1 2]
SELECT __b, __g0, CAST(max(__x0) AS DOUBLE) FROM (SELECT epoch_ns(Timestamp) // ? * ? AS __b, coalesce("__hdx_materialized_SpanAttributes.app.payment.card_type", '') AS __g0, Duration AS __x0, epoch_ns(Timestamp) AS __t FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND ServiceName ILIKE ? ESCAPE '\') GROUP BY __b, __g0 LIMIT ?
-- args:
int64 900000000000
int64 900000000000
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-02T00:00:00Z
string "%payment%"
int64 500001
