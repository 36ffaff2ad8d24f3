package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/testing/chdb"
)

// clickhouseConfig is the config of an overlook process on the ClickHouse
// at endpoint.
func clickhouseConfig(endpoint, extra string) string {
	return fmt.Sprintf(`extensions:
  overlook:
    storage:
      backend: clickhouse
      clickhouse:
        endpoint: http://%s
        database: default
%s`, endpoint, extra)
}

// TestClickHouseBackend: two overlook processes on one ClickHouse (chDB
// through chdbserver). Spans and logs ingested over OTLP through the first
// are searched, read as a trace, and charted through the second.
func TestClickHouseBackend(t *testing.T) {
	ch := chdb.Start(t, chdb.Options{})
	a := newServer(t, clickhouseConfig(ch.Endpoint, ""))
	a.start()
	b := newServer(t, clickhouseConfig(ch.Endpoint, ""))
	b.start()

	ctx := context.Background()
	service := "checkout-ch"
	res, err := resource.New(ctx, resource.WithSchemaURL(schemaURL), resource.WithTelemetrySDK(), resource.WithAttributes(
		attribute.String("service.name", service), attribute.String("k8s.pod.name", "checkout-7d9f-http"),
		attribute.Int("host.cpu.count", 2)))
	if err != nil {
		t.Fatal(err)
	}
	exp := newExporters(t, ctx, a, "http")
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp.traces), sdktrace.WithResource(res))
	tracer := tp.Tracer("e2e/checkout", trace.WithInstrumentationVersion("1.2.3"), trace.WithSchemaURL(schemaURL))
	spanStart := time.Now().Add(-2 * time.Second).Truncate(time.Microsecond)
	// The same spans and log as TestOTLPRoundTrip, checked by its helpers.
	linkCtx := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{0xab, 1, 2, 3}, SpanID: trace.SpanID{0xcd, 4, 5}, TraceFlags: trace.FlagsSampled})
	rootCtx, root := tracer.Start(ctx, "POST /api/checkout", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithTimestamp(spanStart),
		trace.WithLinks(trace.Link{SpanContext: linkCtx, Attributes: []attribute.KeyValue{attribute.String("link.reason", "retry")}}),
		trace.WithAttributes(attribute.String("app.payment.card_type", "visa"), attribute.Int("http.status_code", 500),
			attribute.Bool("app.cache.hit", false)))
	_, child := tracer.Start(rootCtx, "charge card", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(spanStart.Add(10*time.Millisecond)))
	child.End(trace.WithTimestamp(spanStart.Add(60 * time.Millisecond)))
	root.AddEvent("Visa cache full", trace.WithTimestamp(spanStart.Add(70*time.Millisecond)),
		trace.WithAttributes(attribute.Int("cache.size", 100000)))
	root.SetStatus(codes.Error, "payment failed")
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp.logs)), sdklog.WithResource(res))
	logger := lp.Logger("e2e/checkout-logger", otellog.WithInstrumentationVersion("4.5.6"))
	logTime := spanStart.Add(80 * time.Millisecond)
	var rec otellog.Record
	rec.SetTimestamp(logTime)
	rec.SetObservedTimestamp(logTime.Add(time.Millisecond))
	rec.SetSeverity(otellog.SeverityError)
	rec.SetSeverityText("ERROR")
	rec.SetBody(attribute.StringValue("Failed to place order: Visa cache full http"))
	rec.AddAttributes(attribute.String("userEmail", "braulio@example.com"), attribute.Int("order.items", 3))
	logger.Emit(rootCtx, rec)
	root.End(trace.WithTimestamp(spanStart.Add(100 * time.Millisecond)))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp.metrics, sdkmetric.WithInterval(time.Hour))))
	counter, _ := mp.Meter("e2e/meter").Int64Counter("orders_placed", metric.WithUnit("{order}"))
	counter.Add(ctx, 7, metric.WithAttributes(attribute.String("card", "visa")))
	for _, shut := range []func(context.Context) error{tp.Shutdown, lp.Shutdown, mp.Shutdown} {
		if err := shut(ctx); err != nil {
			t.Fatalf("shutdown SDK: %v", err)
		}
	}
	traceID := root.SpanContext().TraceID().String()
	// Acknowledged means committed: the other process reads it at once.
	checkSpans(t, b, service, traceID, root.SpanContext().SpanID().String(), child.SpanContext().SpanID().String(), spanStart)
	checkLogs(t, b, service, "http", traceID, root.SpanContext().SpanID().String(), logTime)
	if got := b.chartCount("traces", `ServiceName:"`+service+`"`); got != "2" {
		t.Errorf("chart count of spans through the second process: %q, want 2", got)
	}
	if got := a.chartCount("logs", `SeverityText:ERROR`); got != "1" {
		t.Errorf("chart count of error logs: %q, want 1", got)
	}
	// A dashboard saved through one process appears on the other
	// (metadata shared in ClickHouse).
	var created struct {
		ID string `json:"id"`
	}
	if code := a.postJSON("/api/dashboards", map[string]any{"name": "Shared checkout", "tiles": []any{}}, &created); code != http.StatusCreated || created.ID == "" {
		t.Fatalf("create dashboard: status %d, id %q", code, created.ID)
	}
	var got struct {
		Name string `json:"name"`
	}
	if code := b.getJSON("/api/dashboards/"+created.ID, &got); code != http.StatusOK || got.Name != "Shared checkout" {
		t.Errorf("dashboard through the second process: status %d, name %q", code, got.Name)
	}
	// PromQL through the second process reads the counter stored through
	// the first (store.MetricReader on ClickHouse).
	smp := b.instant(`orders_placed_total{card="visa"}`, time.Now().Add(time.Second))
	if len(smp) != 1 || smp[0].Value[1] != "7" || smp[0].Metric["job"] != service {
		t.Errorf("PromQL orders_placed_total: %+v, want one sample 7 of job %s", smp, service)
	}
	checkSharedAlertsAndUsers(t, a, b)
	checkSharedSessions(t, a, b)
}

// checkSharedSessions: a browser login through process a is valid on
// process b (the sessions live in ClickHouse's overlook_sessions, no
// sticky load balancer needed); a logout through b ends it on a within
// auth.SessionRecheckEvery (5s; a re-checks its cached session that
// often). The cookie jar sends the one cookie to both: cookies do not
// depend on the port.
func checkSharedSessions(t *testing.T, a, b *server) {
	t.Helper()
	browser := newAPIClient(t, "http://"+a.api)
	browser.login("ops@example.com", "shared-password")
	code, body := browser.json("GET", "/api/alerts", "")
	want(t, "logged in through the first process, GET there", code, body, 200, "")
	u, err := url.Parse(browser.base)
	if err != nil {
		t.Fatal(err)
	}
	cookies := browser.c.Jar.Cookies(u)
	if len(cookies) != 1 {
		t.Fatalf("cookies after the login: %v, want the session cookie", cookies)
	}
	browser.base = "http://" + b.api
	code, body = browser.json("GET", "/api/alerts", "")
	want(t, "the first process's session on the second process", code, body, 200, "")
	code, body = browser.json("POST", "/api/logout", `{}`)
	want(t, "logout through the second process", code, body, 200, "")
	code, _, body = browser.do("GET", "/api/alerts", "", "", "Cookie", cookies[0].String())
	want(t, "the logged-out cookie on the second process", code, body, 401, "expired or ended")
	// On the first process (which cached the session at the login) the
	// cookie fails within the re-check bound.
	browser.base = "http://" + a.api
	deadline := time.Now().Add(auth.SessionRecheckEvery + 5*time.Second)
	for {
		code, _, body = browser.do("GET", "/api/alerts", "", "", "Cookie", cookies[0].String())
		if code == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cookie logged out through the second process still works on the first after %v: %d %s",
				auth.SessionRecheckEvery+5*time.Second, code, body)
		}
		time.Sleep(250 * time.Millisecond)
	}
	want(t, "the logged-out cookie on the first process", code, body, 401, "expired or ended")
}

// checkSharedAlertsAndUsers: an alert and a user created through process
// a are seen by process b (alerts, users and the audit log live in
// ClickHouse): the user logs in through b, and b's login is in the audit
// log a reads.
func checkSharedAlertsAndUsers(t *testing.T, a, b *server) {
	t.Helper()
	var alert struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	code := a.postJSON("/api/alerts", map[string]any{
		"name": "shared checkout errors", "source": "logs", "query": "SeverityText:ERROR ServiceName:shared-nothing",
		"whereLanguage": "lucene", "groupBy": []string{}, "interval": "1h", "thresholdType": "above", "threshold": 1,
		"channel": map[string]any{"type": "webhook", "url": "http://127.0.0.1:1/hook"},
	}, &alert)
	if code != http.StatusCreated || alert.ID == "" {
		t.Fatalf("create alert through the first process: %d %+v", code, alert)
	}
	var seen struct {
		Name string `json:"name"`
	}
	if code := b.getJSON("/api/alerts/"+alert.ID, &seen); code != http.StatusOK || seen.Name != "shared checkout errors" {
		t.Fatalf("alert through the second process: %d %+v", code, seen)
	}
	admin := newAPIClient(t, "http://"+a.api)
	code, body := admin.json("POST", "/api/setup", `{"email":"ops@example.com","password":"shared-password"}`)
	want(t, "setup through the first process", code, body, 201, `"role":"admin"`)
	other := newAPIClient(t, "http://"+b.api)
	code, _, _ = other.do("GET", "/api/alerts", "", "")
	want(t, "anonymous GET through the second process once a user exists", code, "", 401, "")
	other.login("ops@example.com", "shared-password")
	code, body = other.json("GET", "/api/alerts/"+alert.ID, "")
	want(t, "the alert through the second process, logged in there", code, body, 200, "shared checkout errors")
	code, body = admin.json("GET", "/api/audit", "")
	want(t, "the second process's login in the audit log read through the first", code, body, 200, `"action":"login"`)
}

// TestClickHouseBadConfig: an unreachable endpoint and a missing database
// stop the process at start with a message naming the key to fix.
func TestClickHouseBadConfig(t *testing.T) {
	ch := chdb.Start(t, chdb.Options{})
	for _, tc := range []struct{ name, cfg, want string }{
		{"unreachable", clickhouseConfig("127.0.0.1:1", ""), "cannot reach ClickHouse at 127.0.0.1:1"},
		{"missing database", strings.Replace(clickhouseConfig(ch.Endpoint, ""), "database: default", "database: nodb", 1), `has no database "nodb"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, tc.cfg)
			out := s.runToExit()
			if !strings.Contains(out, tc.want) {
				t.Fatalf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

// runToExit runs the server expecting it to exit by itself within 60s
// (a start-up failure) and returns its output.
func (s *server) runToExit() string {
	s.t.Helper()
	args := append([]string{"serve", "--config", s.configPath, "--data", s.dataDir}, s.extraArgs...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, args...).CombinedOutput()
	if err == nil {
		s.t.Fatalf("overlook exited 0, want a start-up failure:\n%s", out)
	}
	if ctx.Err() != nil {
		s.t.Fatalf("overlook still running after 60s, want a start-up failure:\n%s", out)
	}
	return string(out)
}

// TestClickHouseReadOnlyExporterDatabase: overlook with read_only: true on
// a database made by the OTel exporter's own DDL (the fixture of
// internal/store/clickhouse) answers searches and trace lookups over rows
// written as the exporter writes them, creates nothing, and refuses
// exports permanently (400, not a retry loop).
func TestClickHouseReadOnlyExporterDatabase(t *testing.T) {
	srv := chdb.Start(t, chdb.Options{})
	ctx := context.Background()
	c, err := clickhouse.Open(&clickhouse.Options{Protocol: clickhouse.HTTP, Addr: []string{srv.Endpoint}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ddl, err := os.ReadFile("../internal/store/clickhouse/testdata/exporter_schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	const tid = "0af7651916cd43dd8448eb211c80319c"
	stmts := append([]string{"CREATE DATABASE otel"}, strings.Split(string(ddl), "\n;\n")...)
	stmts = append(stmts,
		`INSERT INTO otel.otel_logs (Timestamp, TraceId, SpanId, SeverityText, SeverityNumber, ServiceName, Body, ResourceAttributes, LogAttributes)
		 VALUES (now64(9) - 30, '`+tid+`', 'b7ad6b7169203331', 'ERROR', 17, 'cart', 'payment failed for user 42', map('service.name', 'cart'), map('user.id', '42'))`,
		`INSERT INTO otel.otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, SpanAttributes, Duration, StatusCode)
		 VALUES (now64(9) - 31, '`+tid+`', 'b7ad6b7169203331', '', 'POST /cart', 'Server', 'cart', map('service.name', 'cart'), map('http.method', 'POST'), 2000000, 'Error')`)
	for _, s := range stmts {
		if err := c.Exec(ctx, s); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
	}
	s := newServer(t, strings.Replace(clickhouseConfig(srv.Endpoint, ""), "database: default", "database: otel\n        read_only: true", 1))
	s.start()
	if r := s.search("logs", `LogAttributes.user.id:42`); r.Count != 1 || r.Rows[0]["Body"] != "payment failed for user 42" {
		t.Fatalf("search logs: %+v", r)
	}
	var tr struct {
		Spans []map[string]any `json:"spans"`
	}
	if code := s.getJSON("/api/traces/"+tid, &tr); code != http.StatusOK || len(tr.Spans) != 1 || tr.Spans[0]["SpanName"] != "POST /cart" {
		t.Fatalf("trace: status %d, %+v", code, tr.Spans)
	}
	body := `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]}]}`
	resp, err := http.Post("http://"+s.http+"/v1/logs", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("export into a read_only store: status %d, want 400 (permanent)", resp.StatusCode)
	}
	var n uint64
	if err := c.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = 'otel'").Scan(&n); err != nil || n != 5 {
		t.Errorf("tables in otel: %d (%v), want the fixture's 5: read_only must create nothing", n, err)
	}
}
