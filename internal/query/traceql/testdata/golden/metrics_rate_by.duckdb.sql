-- { kind = server } | rate() by (resource.service.name, name)
WITH s AS NOT MATERIALIZED (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?), f1 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE s."SpanKind" = ?),
  m AS (SELECT DISTINCT "TraceId", "SpanId" FROM f1) SELECT coalesce(s."ServiceName", '') AS "by_0", s."SpanName" AS "by_1", (epoch_ns(s."Timestamp") // ?) AS "bucket", count(*) AS "v_0" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" GROUP BY "by_0", "by_1", "bucket" ORDER BY "by_0", "by_1", "bucket"
-- $1 = "2026-01-02T03:00:00Z"
-- $2 = "2026-01-02T04:00:00Z"
-- $3 = "Server"
-- $4 = 60000000000
