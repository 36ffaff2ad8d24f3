package main

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The generators write rows with DuckDB itself (INSERT ... SELECT over
// range()), which is far faster than going through OTLP and the appender
// and gives the same physical layout: rows in time order, MAP columns.
//
// Distributions (deterministic: hash() of the row number):
//   - timestamps evenly over [base, base+24h), in insertion order;
//   - 20 services, skewed (the first ones are much busier);
//   - spans: 8 per trace, Duration log-normal around 20 ms (σ = 1.2),
//     2% errors; 10–11 span attributes (http.*, rpc.system, net.peer.name,
//     user/session/product ids, cart items, and app.payment.card_type on
//     the payment, checkout and frontend services: visa 50%, mastercard
//     35%, amex 15%); 6 resource attributes;
//   - logs: INFO/WARN/ERROR/DEBUG (75/10/5/10%), 9 body templates with
//     numbers, 10 log attributes, 6 resource attributes, trace context.

// services are 20 service names; skewed picks favour the first.
const services = `['frontend','checkout','payment','cart','product-catalog','currency','shipping','email',
 'recommendation','ad','quote','accounting','fraud-detection','image-provider','kafka','flagd',
 'load-generator','frontend-proxy','valkey','postgres']`

// u(i, salt) is a uniform number in (0, 1) derived from the row number.
func u(salt int) string {
	return fmt.Sprintf("((hash(i, %d) %% 1000000)::DOUBLE + 0.5) / 1000000.0", salt)
}

func spansSQL(n int64, base time.Time) string {
	step := int64(24*time.Hour) / n
	return fmt.Sprintf(`
INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
  ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode, StatusMessage,
  ResourceSchemaUrl, ScopeSchemaUrl, ScopeAttributes, TraceFlags, DroppedAttributesCount, DroppedEventsCount,
  DroppedLinksCount, ScopeDroppedAttrCount, ResourceDroppedAttrCount)
SELECT ts, trace_id, span_id, CASE WHEN i %% 8 = 0 THEN '' ELSE lower(lpad(to_hex(hash(i - 1) >> 1), 16, '0')) END, '',
  route, kind, svc,
  map(['service.name','service.version','host.name','k8s.pod.name','k8s.namespace.name','telemetry.sdk.language'],
      [svc, '1.12.0', 'node-' || (hash(svc) %% 5)::VARCHAR, svc || '-7c9f8d-' || (hash(i // 100000, svc) %% 7)::VARCHAR, 'otel-demo', 'go']),
  'go.opentelemetry.io/otel', '1.28.0',
  CASE WHEN card IS NULL THEN map(k10, v10) ELSE map(list_append(k10, 'app.payment.card_type'), list_append(v10, card)) END,
  dur, CASE WHEN err THEN 'Error' WHEN i %% 3 = 0 THEN 'Ok' ELSE 'Unset' END, CASE WHEN err THEN 'Visa cache full' ELSE '' END,
  'https://opentelemetry.io/schemas/1.26.0', '', map([], []::VARCHAR[]), 1, 0, 0, 0, 0, 0
FROM (
  SELECT i, ts, trace_id, span_id, svc, route, kind, dur, err,
    CASE WHEN svc IN ('payment','checkout','frontend') THEN
      CASE WHEN c < 0.5 THEN 'visa' WHEN c < 0.85 THEN 'mastercard' ELSE 'amex' END END AS card,
    ['http.method','http.route','http.status_code','net.peer.name','rpc.system','user.id','session.id',
     'app.product.id','app.cart.items','thread.id'] AS k10,
    [method, route, CASE WHEN err THEN '500' ELSE '200' END, 'svc-' || (hash(i, 9) %% 20)::VARCHAR, 'grpc',
     'user-' || (hash(i, 10) %% 50000)::VARCHAR, 'sess-' || (hash(i // 8) %% 200000)::VARCHAR,
     'OLJCESPC7Z' || (hash(i, 11) %% 10)::VARCHAR, (hash(i, 12) %% 9)::VARCHAR, (hash(i, 13) %% 64)::VARCHAR] AS v10
  FROM (
    SELECT i,
      make_timestamp_ns(%d + i * %d) AS ts,
      lower(lpad(to_hex(hash(i // 8) >> 1), 16, '0') || lpad(to_hex(i // 8), 16, '0')) AS trace_id,
      lower(lpad(to_hex(hash(i) >> 1), 16, '0')) AS span_id,
      list_element(%s, 1 + CAST(floor(pow(%s, 2) * 20) AS INTEGER)) AS svc,
      list_element(['/api/cart','/api/checkout','/api/products/{id}','/api/recommendations','/api/shipping','/api/currency'],
        1 + CAST(hash(i, 3) %% 6 AS INTEGER)) AS route,
      list_element(['Server','Client','Internal'], 1 + CAST(hash(i, 4) %% 3 AS INTEGER)) AS kind,
      list_element(['GET','POST','PUT'], 1 + CAST(hash(i, 5) %% 3 AS INTEGER)) AS method,
      CAST(exp(ln(20e6) + 1.2 * sqrt(-2 * ln(%s)) * cos(2 * pi() * %s)) AS UBIGINT) AS dur,
      %s < 0.02 AS err,
      %s AS c
    FROM range(%d) t(i)
  )
)`, base.UnixNano(), step, services, u(1), u(6), u(7), u(8), u(14), n)
}

func traceIDTsSQL() string {
	return `INSERT INTO otel_traces_trace_id_ts (TraceId, Start, "End")
SELECT TraceId, min(Timestamp), max(Timestamp) FROM otel_traces GROUP BY TraceId`
}

func logsSQL(n int64, base time.Time) string {
	step := int64(24*time.Hour) / n
	return fmt.Sprintf(`
INSERT INTO otel_logs (Timestamp, TimestampTime, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName,
  Body, ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, LogAttributes,
  EventName, ObservedTimestamp, DroppedAttributesCount, ScopeDroppedAttrCount, ResourceDroppedAttrCount)
SELECT ts, CAST(ts AS TIMESTAMP), trace_id, span_id, 1, sev, CASE sev WHEN 'INFO' THEN 9 WHEN 'WARN' THEN 13 WHEN 'ERROR' THEN 17 ELSE 5 END,
  svc,
  list_element(['request completed', 'Failed to place order', 'Visa cache full: cannot add new item',
    'charging card', 'user logged in', 'connection reset by peer', 'retrying payment',
    'order ' || (hash(i, 20) %% 100000)::VARCHAR || ' placed with ' || (hash(i, 21) %% 9)::VARCHAR || ' items',
    'GET /api/products took ' || (hash(i, 22) %% 900)::VARCHAR || ' ms'], 1 + CAST(hash(i, 23) %% 9 AS INTEGER)),
  'https://opentelemetry.io/schemas/1.26.0',
  map(['service.name','service.version','host.name','k8s.pod.name','k8s.namespace.name','telemetry.sdk.language'],
      [svc, '1.12.0', 'node-' || (hash(svc) %% 5)::VARCHAR, svc || '-7c9f8d-' || (hash(i // 100000, svc) %% 7)::VARCHAR, 'otel-demo', 'go']),
  '', 'go.opentelemetry.io/contrib/bridges/otelslog', '0.3.0', map([], []::VARCHAR[]),
  map(['userEmail','http.method','http.target','latency','thread.id','code.function','code.lineno','session.id','order.id','retry'],
      ['user' || (hash(i, 24) %% 50000)::VARCHAR || '@example.com', 'GET', '/api/cart', (hash(i, 25) %% 2000)::VARCHAR,
       (hash(i, 26) %% 64)::VARCHAR, 'main.handle', (hash(i, 27) %% 900)::VARCHAR, 'sess-' || (hash(i // 8) %% 200000)::VARCHAR,
       (hash(i, 28) %% 100000)::VARCHAR, (hash(i, 29) %% 3)::VARCHAR]),
  '', ts, 0, 0, 0
FROM (
  SELECT i, make_timestamp_ns(%d + i * %d) AS ts,
    CASE WHEN hash(i, 30) %% 10 < 8 THEN lower(lpad(to_hex(hash(i // 8) >> 1), 16, '0') || lpad(to_hex(i // 8), 16, '0')) ELSE '' END AS trace_id,
    CASE WHEN hash(i, 30) %% 10 < 8 THEN lower(lpad(to_hex(hash(i) >> 1), 16, '0')) ELSE '' END AS span_id,
    list_element(%s, 1 + CAST(floor(pow(%s, 2) * 20) AS INTEGER)) AS svc,
    CASE WHEN %s < 0.75 THEN 'INFO' WHEN %s < 0.85 THEN 'WARN' WHEN %s < 0.90 THEN 'ERROR' ELSE 'DEBUG' END AS sev
  FROM range(%d) t(i)
)`, base.UnixNano(), step, services, u(31), u(32), u(32), u(32), n)
}

// generate fills the tables of the database at path (created by the store
// beforehand) and checkpoints it.
func generate(ctx context.Context, db *sql.DB, spans, logs int64, base time.Time, logf func(string, ...any)) error {
	steps := []struct {
		what string
		sql  string
	}{
		{fmt.Sprintf("%d spans", spans), spansSQL(spans, base)},
		{"trace id index", traceIDTsSQL()},
		{fmt.Sprintf("%d logs", logs), logsSQL(logs, base)},
		{"checkpoint", "CHECKPOINT"},
	}
	for _, s := range steps {
		start := time.Now()
		if _, err := db.ExecContext(ctx, s.sql); err != nil {
			return fmt.Errorf("generate %s: %w", s.what, err)
		}
		logf("generated %s in %s", s.what, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
