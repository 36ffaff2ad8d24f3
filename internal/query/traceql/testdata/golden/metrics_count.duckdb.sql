-- { status = error } | count_over_time()
WITH s AS NOT MATERIALIZED (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?), f1 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE s."StatusCode" = ?),
  m AS (SELECT DISTINCT "TraceId", "SpanId" FROM f1) SELECT (epoch_ns(s."Timestamp") // ?) AS "bucket", count(*) AS "v_0" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" GROUP BY "bucket" ORDER BY "bucket"
-- $1 = "2026-01-02T03:00:00Z"
-- $2 = "2026-01-02T04:00:00Z"
-- $3 = "Error"
-- $4 = 60000000000
