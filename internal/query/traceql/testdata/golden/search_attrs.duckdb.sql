-- { span.http.status_code >= 500 && resource.service.name = "api" && .region = "eu" && span.ok = true && span.x = nil && .y != nil }
WITH s AS NOT MATERIALIZED (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?), f1 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE (((((((TRY_CAST(map_extract_value(s."SpanAttributes", ?) AS DOUBLE) >= CAST(? AS DOUBLE))) AND s."ServiceName" = ?) AND ((map_extract_value(s."SpanAttributes", ?) = ?) OR (map_extract_value(s."ResourceAttributes", ?) = ?))) AND ((map_extract_value(s."SpanAttributes", ?) = ?))) AND (NOT map_contains(s."SpanAttributes", ?))) AND (map_contains(s."SpanAttributes", ?) OR map_contains(s."ResourceAttributes", ?)))),
  m AS (SELECT DISTINCT "TraceId", "SpanId", "G" FROM f1),
  tr AS (SELECT s."TraceId" AS "trace_id", min(epoch_ns(s."Timestamp")) AS "start_ns", max(epoch_ns(s."Timestamp") + s."Duration") AS "end_ns", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."ServiceName" END), '') AS "root_svc", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."SpanName" END), '') AS "root_name" FROM s WHERE s."TraceId" IN (SELECT "TraceId" FROM m) GROUP BY s."TraceId" HAVING max(epoch_ns(s."Timestamp") + s."Duration") - min(epoch_ns(s."Timestamp")) >= ? ORDER BY "start_ns" DESC, "trace_id" LIMIT 20),
  ms AS (SELECT s."TraceId" AS "ms_trace", m."G" AS "grp", count(*) OVER (PARTITION BY s."TraceId", m."G") AS "matched", row_number() OVER (PARTITION BY s."TraceId", m."G" ORDER BY s."Timestamp", s."SpanId") AS "rn", s."SpanId" AS "span_id", epoch_ns(s."Timestamp") AS "span_start", s."Duration" AS "span_dur", s."SpanName" AS "span_name", s."ServiceName" AS "span_svc" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" WHERE s."TraceId" IN (SELECT "trace_id" FROM tr)) SELECT tr."trace_id", tr."start_ns", tr."end_ns", tr."root_svc", tr."root_name", ms."grp", ms."matched", ms."rn", ms."span_id", ms."span_start", ms."span_dur", ms."span_name", ms."span_svc" FROM tr JOIN ms ON ms."ms_trace" = tr."trace_id" WHERE ms."rn" <= 3 ORDER BY tr."start_ns" DESC, tr."trace_id", ms."grp", ms."span_start", ms."span_id"
-- $1 = "2026-01-02T03:00:00Z"
-- $2 = "2026-01-02T04:00:00Z"
-- $3 = "http.status_code"
-- $4 = 500
-- $5 = "api"
-- $6 = "region"
-- $7 = "eu"
-- $8 = "region"
-- $9 = "eu"
-- $10 = "ok"
-- $11 = "true"
-- $12 = "x"
-- $13 = "y"
-- $14 = "y"
-- $15 = 1000000
