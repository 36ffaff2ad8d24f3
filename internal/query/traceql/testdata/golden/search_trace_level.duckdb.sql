-- { rootName = "a" && rootServiceName = "b" && traceDuration > 1s }
WITH b AS NOT MATERIALIZED (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?),
  tl AS (SELECT "TraceId" AS "tq_id", coalesce(max(CASE WHEN "ParentSpanId" = '' THEN "SpanName" END), '') AS "tq_root_name", coalesce(max(CASE WHEN "ParentSpanId" = '' THEN "ServiceName" END), '') AS "tq_root_svc", max(epoch_ns("Timestamp") + "Duration") - min(epoch_ns("Timestamp")) AS "tq_trace_dur" FROM b GROUP BY "TraceId"), s AS NOT MATERIALIZED (SELECT b.*, tl."tq_root_name", tl."tq_root_svc", tl."tq_trace_dur" FROM b JOIN tl ON tl."tq_id" = b."TraceId"), f1 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((s."tq_root_name" = ? AND s."tq_root_svc" = ?) AND (s."tq_trace_dur" > ?))),
  m AS (SELECT DISTINCT "TraceId", "SpanId", "G" FROM f1),
  tr AS (SELECT s."TraceId" AS "trace_id", min(epoch_ns(s."Timestamp")) AS "start_ns", max(epoch_ns(s."Timestamp") + s."Duration") AS "end_ns", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."ServiceName" END), '') AS "root_svc", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."SpanName" END), '') AS "root_name" FROM s WHERE s."TraceId" IN (SELECT "TraceId" FROM m) GROUP BY s."TraceId" HAVING max(epoch_ns(s."Timestamp") + s."Duration") - min(epoch_ns(s."Timestamp")) >= ? ORDER BY "start_ns" DESC, "trace_id" LIMIT 20),
  ms AS (SELECT s."TraceId" AS "ms_trace", m."G" AS "grp", count(*) OVER (PARTITION BY s."TraceId", m."G") AS "matched", row_number() OVER (PARTITION BY s."TraceId", m."G" ORDER BY s."Timestamp", s."SpanId") AS "rn", s."SpanId" AS "span_id", epoch_ns(s."Timestamp") AS "span_start", s."Duration" AS "span_dur", s."SpanName" AS "span_name", s."ServiceName" AS "span_svc" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" WHERE s."TraceId" IN (SELECT "trace_id" FROM tr)) SELECT tr."trace_id", tr."start_ns", tr."end_ns", tr."root_svc", tr."root_name", ms."grp", ms."matched", ms."rn", ms."span_id", ms."span_start", ms."span_dur", ms."span_name", ms."span_svc" FROM tr JOIN ms ON ms."ms_trace" = tr."trace_id" WHERE ms."rn" <= 3 ORDER BY tr."start_ns" DESC, tr."trace_id", ms."grp", ms."span_start", ms."span_id"
-- $1 = "2026-01-02T03:00:00Z"
-- $2 = "2026-01-02T04:00:00Z"
-- $3 = "a"
-- $4 = "b"
-- $5 = 1000000000
-- $6 = 1000000
