-- chart: values source=traces field=SpanAttributes['app.payment.card_type'] prefix=
-- statement 1, columns [1 2]
SELECT __v, CAST(count(*) AS DOUBLE) AS __n FROM (SELECT coalesce(map_extract_value(SpanAttributes, ?), '') AS __v FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? LIMIT ?) WHERE __v <> '' GROUP BY __v ORDER BY __n DESC, __v LIMIT ?
-- args:
string "app.payment.card_type"
time.Time 2024-05-01T00:00:00Z
time.Time 2024-05-01T01:00:00Z
int64 100000
int64 20
