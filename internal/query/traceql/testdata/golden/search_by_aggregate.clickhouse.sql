-- { span.http.method = "POST" } | by(resource.service.name, name) | avg(duration) > 45ms | count() > 1
WITH s AS (SELECT * FROM "otel_traces" WHERE "Timestamp" >= ? AND "Timestamp" < ?),
  f1 AS (SELECT s."TraceId", s."SpanId", s."ParentSpanId", s."Timestamp" AS "Ts", coalesce(s."ServiceName", '') || '' || s."SpanName" AS "g_0", s."Duration" AS "a_1" FROM s WHERE ((mapContains(s."SpanAttributes", ?) AND s."SpanAttributes"[?] = ?))),
  p2 AS (SELECT * FROM f1 WHERE ("TraceId", "g_0") IN (SELECT "TraceId", "g_0" FROM f1 GROUP BY "TraceId", "g_0" HAVING avg("a_1") > ?)),
  p3 AS (SELECT * FROM p2 WHERE ("TraceId", "g_0") IN (SELECT "TraceId", "g_0" FROM p2 GROUP BY "TraceId", "g_0" HAVING count(*) > ?)),
  p4 AS (SELECT "TraceId", "SpanId", "ParentSpanId", "g_0" AS "G", "Ts" FROM p3),
  m AS (SELECT DISTINCT "TraceId", "SpanId", "G" FROM p4),
  tr AS (SELECT s."TraceId" AS "trace_id", min(toUnixTimestamp64Nano(s."Timestamp")) AS "start_ns", max(toUnixTimestamp64Nano(s."Timestamp") + s."Duration") AS "end_ns", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."ServiceName" END), '') AS "root_svc", coalesce(max(CASE WHEN s."ParentSpanId" = '' THEN s."SpanName" END), '') AS "root_name" FROM s WHERE s."TraceId" IN (SELECT "TraceId" FROM m) GROUP BY s."TraceId" HAVING max(toUnixTimestamp64Nano(s."Timestamp") + s."Duration") - min(toUnixTimestamp64Nano(s."Timestamp")) >= ? ORDER BY "start_ns" DESC, "trace_id" LIMIT 20),
  ms AS (SELECT s."TraceId" AS "ms_trace", m."G" AS "grp", count(*) OVER (PARTITION BY s."TraceId", m."G") AS "matched", row_number() OVER (PARTITION BY s."TraceId", m."G" ORDER BY s."Timestamp", s."SpanId") AS "rn", s."SpanId" AS "span_id", toUnixTimestamp64Nano(s."Timestamp") AS "span_start", s."Duration" AS "span_dur", s."SpanName" AS "span_name", s."ServiceName" AS "span_svc" FROM s JOIN m ON m."TraceId" = s."TraceId" AND m."SpanId" = s."SpanId" WHERE s."TraceId" IN (SELECT "trace_id" FROM tr)) SELECT tr."trace_id", tr."start_ns", tr."end_ns", tr."root_svc", tr."root_name", ms."grp", ms."matched", ms."rn", ms."span_id", ms."span_start", ms."span_dur", ms."span_name", ms."span_svc" FROM tr JOIN ms ON ms."ms_trace" = tr."trace_id" WHERE ms."rn" <= 3 ORDER BY tr."start_ns" DESC, tr."trace_id", ms."grp", ms."span_start", ms."span_id"
-- $1 = "2026-01-02T03:00:00Z"
-- $2 = "2026-01-02T04:00:00Z"
-- $3 = "http.method"
-- $4 = "http.method"
-- $5 = "POST"
-- $6 = 4.5e+07
-- $7 = 1
-- $8 = 1000000
