-- { } | avg_over_time(span.bytes)
WITH s AS (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?),
  f1 AS (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s),
  m AS (SELECT DISTINCT "TraceId", "SpanId" FROM f1) SELECT intDiv(toUnixTimestamp64Nano(s."Timestamp"), ?) AS "bucket", avg(toFloat64OrNull(if(mapContains(s."SpanAttributes", ?), s."SpanAttributes"[?], NULL))) AS "v_0" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" GROUP BY "bucket" ORDER BY "bucket"
-- $1 = "2026-01-02T03:00:00Z"
-- $2 = "2026-01-02T04:00:00Z"
-- $3 = 60000000000
-- $4 = "bytes"
-- $5 = "bytes"
