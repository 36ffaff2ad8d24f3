-- { .a = 1 } >> { .b = 2 } << { .c = 3 }
WITH RECURSIVE s AS (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?),
  f1 AS (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((toFloat64OrNull(s."SpanAttributes"[?]) = ?) OR (toFloat64OrNull(s."ResourceAttributes"[?]) = ?))),
  f2 AS (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((toFloat64OrNull(s."SpanAttributes"[?]) = ?) OR (toFloat64OrNull(s."ResourceAttributes"[?]) = ?))),
  t3 AS (SELECT "TraceId", "SpanId", "ParentSpanId" FROM s WHERE "TraceId" IN (SELECT "TraceId" FROM f1) AND "TraceId" IN (SELECT "TraceId" FROM f2)),
  w4 AS (SELECT "TraceId", "SpanId" FROM t3 WHERE ("TraceId" || "ParentSpanId") IN (SELECT "TraceId" || "SpanId" FROM f1) UNION ALL SELECT t."TraceId", t."SpanId" FROM t3 t JOIN w4 ON t."TraceId" = w4."TraceId" AND t."ParentSpanId" = w4."SpanId"),
  o5 AS (SELECT r."TraceId", r."SpanId", r."ParentSpanId", r."G", r."Ts" FROM f2 r WHERE (r."TraceId" || r."SpanId") IN (SELECT "TraceId" || "SpanId" FROM w4)),
  f6 AS (SELECT DISTINCT s."TraceId", s."SpanId", s."ParentSpanId", '' AS "G", s."Timestamp" AS "Ts" FROM s WHERE ((toFloat64OrNull(s."SpanAttributes"[?]) = ?) OR (toFloat64OrNull(s."ResourceAttributes"[?]) = ?))),
  t7 AS (SELECT "TraceId", "SpanId", "ParentSpanId" FROM s WHERE "TraceId" IN (SELECT "TraceId" FROM o5) AND "TraceId" IN (SELECT "TraceId" FROM f6)),
  w8 AS (SELECT "TraceId", "ParentSpanId" AS "SpanId" FROM o5 WHERE "ParentSpanId" <> '' UNION ALL SELECT t."TraceId", t."ParentSpanId" AS "SpanId" FROM t7 t JOIN w8 ON t."TraceId" = w8."TraceId" AND t."SpanId" = w8."SpanId" WHERE t."ParentSpanId" <> ''),
  o9 AS (SELECT r."TraceId", r."SpanId", r."ParentSpanId", r."G", r."Ts" FROM f6 r WHERE (r."TraceId" || r."SpanId") IN (SELECT "TraceId" || "SpanId" FROM w8)),
  m AS (SELECT DISTINCT "TraceId", "SpanId", "G" FROM o9),
  tr AS (SELECT s."TraceId" AS "trace_id", min(toUnixTimestamp64Nano(s."Timestamp")) AS "start_ns", max(toUnixTimestamp64Nano(s."Timestamp") + s."Duration") AS "end_ns", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."ServiceName" END), '') AS "root_svc", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."SpanName" END), '') AS "root_name" FROM s WHERE s."TraceId" IN (SELECT "TraceId" FROM m) GROUP BY s."TraceId" HAVING max(toUnixTimestamp64Nano(s."Timestamp") + s."Duration") - min(toUnixTimestamp64Nano(s."Timestamp")) >= ? ORDER BY "start_ns" DESC, "trace_id" LIMIT 20),
  ms AS (SELECT s."TraceId" AS "ms_trace", m."G" AS "grp", count(*) OVER (PARTITION BY s."TraceId", m."G") AS "matched", row_number() OVER (PARTITION BY s."TraceId", m."G" ORDER BY s."Timestamp", s."SpanId") AS "rn", s."SpanId" AS "span_id", toUnixTimestamp64Nano(s."Timestamp") AS "span_start", s."Duration" AS "span_dur", s."SpanName" AS "span_name", s."ServiceName" AS "span_svc" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" WHERE s."TraceId" IN (SELECT "trace_id" FROM tr)) SELECT tr."trace_id", tr."start_ns", tr."end_ns", tr."root_svc", tr."root_name", ms."grp", ms."matched", ms."rn", ms."span_id", ms."span_start", ms."span_dur", ms."span_name", ms."span_svc" FROM tr JOIN ms ON ms."ms_trace" = tr."trace_id" WHERE ms."rn" <= 3 ORDER BY tr."start_ns" DESC, tr."trace_id", ms."grp", ms."span_start", ms."span_id"
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
-- $12 = 3
-- $13 = "c"
-- $14 = 3
-- $15 = 1000000
