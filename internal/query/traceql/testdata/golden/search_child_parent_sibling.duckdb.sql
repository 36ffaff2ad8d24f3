-- ({ .a = 1 } > { .b = 2 }) && ({ .c = 1 } < { .d = 2 }) && ({ .e = 1 } ~ { .f = 2 })
WITH s AS NOT MATERIALIZED (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?), f1 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((TRY_CAST(map_extract_value(s."SpanAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)) OR (TRY_CAST(map_extract_value(s."ResourceAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)))), f2 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((TRY_CAST(map_extract_value(s."SpanAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)) OR (TRY_CAST(map_extract_value(s."ResourceAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)))), o3 AS MATERIALIZED (SELECT r."TraceId", r."SpanId", r."ParentSpanId", r."G", r."Ts" FROM f2 r WHERE (r."TraceId" || r."ParentSpanId") IN (SELECT "TraceId" || "SpanId" FROM f1)), f4 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((TRY_CAST(map_extract_value(s."SpanAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)) OR (TRY_CAST(map_extract_value(s."ResourceAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)))), f5 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((TRY_CAST(map_extract_value(s."SpanAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)) OR (TRY_CAST(map_extract_value(s."ResourceAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)))), o6 AS MATERIALIZED (SELECT r."TraceId", r."SpanId", r."ParentSpanId", r."G", r."Ts" FROM f5 r WHERE (r."TraceId" || r."SpanId") IN (SELECT "TraceId" || "ParentSpanId" FROM f4)), o7 AS MATERIALIZED (SELECT "TraceId", "SpanId", "ParentSpanId", "G", "Ts" FROM o3 WHERE "TraceId" IN (SELECT "TraceId" FROM o6) UNION SELECT "TraceId", "SpanId", "ParentSpanId", "G", "Ts" FROM o6 WHERE "TraceId" IN (SELECT "TraceId" FROM o3)), f8 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((TRY_CAST(map_extract_value(s."SpanAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)) OR (TRY_CAST(map_extract_value(s."ResourceAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)))), f9 AS MATERIALIZED (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((TRY_CAST(map_extract_value(s."SpanAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)) OR (TRY_CAST(map_extract_value(s."ResourceAttributes", ?) AS DOUBLE) = CAST(? AS DOUBLE)))), o10 AS MATERIALIZED (SELECT DISTINCT r."TraceId", r."SpanId", r."ParentSpanId", r."G", r."Ts" FROM f9 r JOIN f8 l ON l."TraceId" = r."TraceId" AND l."ParentSpanId" = r."ParentSpanId" WHERE r."ParentSpanId" <> '' AND l."SpanId" <> r."SpanId"), o11 AS MATERIALIZED (SELECT "TraceId", "SpanId", "ParentSpanId", "G", "Ts" FROM o7 WHERE "TraceId" IN (SELECT "TraceId" FROM o10) UNION SELECT "TraceId", "SpanId", "ParentSpanId", "G", "Ts" FROM o10 WHERE "TraceId" IN (SELECT "TraceId" FROM o7)),
  m AS (SELECT DISTINCT "TraceId", "SpanId", "G" FROM o11),
  tr AS (SELECT s."TraceId" AS "trace_id", min(epoch_ns(s."Timestamp")) AS "start_ns", max(epoch_ns(s."Timestamp") + s."Duration") AS "end_ns", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."ServiceName" END), '') AS "root_svc", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."SpanName" END), '') AS "root_name" FROM s WHERE s."TraceId" IN (SELECT "TraceId" FROM m) GROUP BY s."TraceId" HAVING max(epoch_ns(s."Timestamp") + s."Duration") - min(epoch_ns(s."Timestamp")) >= ? ORDER BY "start_ns" DESC, "trace_id" LIMIT 20),
  ms AS (SELECT s."TraceId" AS "ms_trace", m."G" AS "grp", count(*) OVER (PARTITION BY s."TraceId", m."G") AS "matched", row_number() OVER (PARTITION BY s."TraceId", m."G" ORDER BY s."Timestamp", s."SpanId") AS "rn", s."SpanId" AS "span_id", epoch_ns(s."Timestamp") AS "span_start", s."Duration" AS "span_dur", s."SpanName" AS "span_name", s."ServiceName" AS "span_svc" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" WHERE s."TraceId" IN (SELECT "trace_id" FROM tr)) SELECT tr."trace_id", tr."start_ns", tr."end_ns", tr."root_svc", tr."root_name", ms."grp", ms."matched", ms."rn", ms."span_id", ms."span_start", ms."span_dur", ms."span_name", ms."span_svc" FROM tr JOIN ms ON ms."ms_trace" = tr."trace_id" WHERE ms."rn" <= 3 ORDER BY tr."start_ns" DESC, tr."trace_id", ms."grp", ms."span_start", ms."span_id"
-- $1 = "2026-01-02T03:00:00Z"
-- $2 = "2026-01-02T04:00:00Z"
-- $3 = "a"
-- $4 = 1
-- $5 = "a"
-- $6 = 1
-- $7 = "b"
-- $8 = 2
-- $9 = "b"
-- $10 = 2
-- $11 = "c"
-- $12 = 1
-- $13 = "c"
-- $14 = 1
-- $15 = "d"
-- $16 = 2
-- $17 = "d"
-- $18 = 2
-- $19 = "e"
-- $20 = 1
-- $21 = "e"
-- $22 = 1
-- $23 = "f"
-- $24 = 2
-- $25 = "f"
-- $26 = 2
-- $27 = 1000000
