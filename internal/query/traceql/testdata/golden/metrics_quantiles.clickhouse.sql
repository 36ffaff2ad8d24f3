-- { } | quantile_over_time(duration, .5, .99) by (span.http.route)
WITH s AS (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?),
  f1 AS (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s),
  m AS (SELECT DISTINCT "TraceId", "SpanId" FROM f1) SELECT coalesce(if(mapContains(s."SpanAttributes", ?), s."SpanAttributes"[?], NULL), '') AS "by_0", intDiv(toUnixTimestamp64Nano(s."Timestamp"), ?) AS "bucket", quantileExact(0.5)(s."Duration") AS "v_0", quantileExact(0.99)(s."Duration") AS "v_1" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" GROUP BY "by_0", "bucket" ORDER BY "by_0", "bucket"
-- $1 = "2026-01-02T03:00:00Z"
-- $2 = "2026-01-02T04:00:00Z"
-- $3 = "http.route"
-- $4 = "http.route"
-- $5 = 60000000000
