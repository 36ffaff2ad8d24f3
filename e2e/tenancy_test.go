package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/testing/chdb"
)

const (
	tenantKeyB   = "e2e-tenant-b-key-0123456789abcdef"
	tenantKeyAny = "e2e-any-tenant-key-0123456789abcd"
)

// tenantLogs is n log records stamped now, bodies "<prefix>-<i>", with the
// attribute only_<tag>.
func tenantLogs(prefix, tag string, n int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", prefix+"-svc")
	// A client trying to pick its tenant by the attribute: overwritten.
	rl.Resource().Attributes().PutStr("overlook.tenant", "team-b")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr(fmt.Sprintf("%s-%d", prefix, i))
		lr.Attributes().PutStr("only_"+tag, "x")
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	}
	return ld
}

// tenantTrace is one trace: <tenant>-front (client) calls <tenant>-back
// (server).
func tenantTrace(tenant string, id byte) ptrace.Traces {
	td := ptrace.NewTraces()
	now := time.Now()
	traceID := pcommon.TraceID{id, id, id, id, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	add := func(svc string, kind ptrace.SpanKind, span, parent byte, name string) {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", tenant+"-"+svc)
		rs.Resource().Attributes().PutStr("rum.sessionId", "sess-"+tenant) // a browser session per tenant
		s := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		s.SetTraceID(traceID)
		s.SetSpanID(pcommon.SpanID{id, span, 0, 0, 0, 0, 0, 1})
		if parent != 0 {
			s.SetParentSpanID(pcommon.SpanID{id, parent, 0, 0, 0, 0, 0, 1})
		}
		s.SetName(name)
		s.SetKind(kind)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-50 * time.Millisecond)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	}
	add("front", ptrace.SpanKindClient, 1, 0, "call back")
	add("back", ptrace.SpanKindServer, 2, 1, "serve")
	return td
}

func tenantGauge(name string, v float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "probe")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetDoubleValue(v)
	dp.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	return md
}

// postOTLP posts an OTLP/HTTP protobuf body with header pairs; returns the
// status and body.
func postOTLP(t *testing.T, addr, path string, body []byte, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-protobuf")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func grpcCtx(md ...string) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	return metadata.AppendToOutgoingContext(ctx, md...), cancel
}

// TestTenancyIsolation: with multitenancy on, two tenants ingest over
// OTLP HTTP and gRPC (by header and by ingestion key) and remote write;
// each sees exactly its own data on every read API; missing tenant → 401,
// a key's tenant contradicted → 403, too many tenants → 429; cross-tenant
// reads merge for admins; span metrics and the service graph land in the
// source tenant; users bound to a tenant read only it.
func TestTenancyIsolation(t *testing.T) {
	dir := t.TempDir()
	keyB, keyAny := filepath.Join(dir, "b.key"), filepath.Join(dir, "any.key")
	if err := os.WriteFile(keyB, []byte(tenantKeyB), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyAny, []byte(tenantKeyAny), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte("groups:\n  - name: probe\n    rules:\n      - record: probe:doubled\n        expr: tenant_probe * 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, traceMetricsConfig+fmt.Sprintf(`extensions:
  overlook:
    multitenancy:
      enabled: true
      cross_tenant_reads: true
      max_tenants: 3
    auth:
      ingestion_keys:
        - key_file: %s
          tenant: team-b
        - key_file: %s
    alerting:
      rule_files: [%s/*.yml]
      evaluation_interval: 1s
`, keyB, keyAny, dir))
	s.start()
	const hdr = "X-Scope-OrgID"
	anyKey, bKey := "Bearer "+tenantKeyAny, "Bearer "+tenantKeyB

	// Ingest refusals.
	logsA, _ := plogotlp.NewExportRequestFromLogs(tenantLogs("log-team-a", "a", 3)).MarshalProto()
	code, body := postOTLP(t, s.http, "/v1/logs", logsA, "Authorization", anyKey)
	want(t, "OTLP/HTTP without a tenant", code, body, 401, "X-Scope-OrgID")
	code, body = postOTLP(t, s.http, "/v1/logs", logsA, "Authorization", bKey, hdr, "team-a")
	want(t, "OTLP/HTTP key of team-b, header team-a", code, body, 403, `belongs to tenant "team-b"`)
	conn, err := grpc.NewClient(s.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := grpcCtx("authorization", anyKey)
	_, err = plogotlp.NewGRPCClient(conn).Export(ctx, nowLog("no tenant"))
	cancel()
	if st, _ := status.FromError(err); st.Code() != codes.Unauthenticated || !strings.Contains(st.Message(), "x-scope-orgid") {
		t.Fatalf("gRPC without a tenant: %v", err)
	}
	ctx, cancel = grpcCtx("authorization", bKey, "x-scope-orgid", "team-a")
	_, err = plogotlp.NewGRPCClient(conn).Export(ctx, nowLog("wrong tenant"))
	cancel()
	if st, _ := status.FromError(err); st.Code() != codes.PermissionDenied {
		t.Fatalf("gRPC key of team-b, metadata team-a: %v", err)
	}

	// team-a: header (HTTP) and metadata (gRPC); team-b: its key.
	code, body = postOTLP(t, s.http, "/v1/logs", logsA, "Authorization", anyKey, hdr, "team-a")
	want(t, "team-a logs over HTTP", code, body, 200, "")
	ctx, cancel = grpcCtx("authorization", anyKey, "x-scope-orgid", "team-a")
	if _, err := plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(tenantLogs("log-team-a-grpc", "a", 1))); err != nil {
		t.Fatalf("team-a logs over gRPC: %v", err)
	}
	cancel()
	logsB, _ := plogotlp.NewExportRequestFromLogs(tenantLogs("log-team-b", "b", 2)).MarshalProto()
	code, body = postOTLP(t, s.http, "/v1/logs", logsB, "Authorization", bKey)
	want(t, "team-b logs over HTTP", code, body, 200, "")
	ctx, cancel = grpcCtx("authorization", bKey)
	if _, err := plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(tenantLogs("log-team-b-grpc", "b", 1))); err != nil {
		t.Fatalf("team-b logs over gRPC: %v", err)
	}
	cancel()
	tracesA, _ := ptraceotlp.NewExportRequestFromTraces(tenantTrace("team-a", 0xa)).MarshalProto()
	code, body = postOTLP(t, s.http, "/v1/traces", tracesA, "Authorization", anyKey, hdr, "team-a")
	want(t, "team-a traces", code, body, 200, "")
	ctx, cancel = grpcCtx("authorization", bKey)
	if _, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(tenantTrace("team-b", 0xb))); err != nil {
		t.Fatalf("team-b traces over gRPC: %v", err)
	}
	cancel()
	ctx, cancel = grpcCtx("authorization", anyKey, "x-scope-orgid", "team-a")
	if _, err := pmetricotlp.NewGRPCClient(conn).Export(ctx, pmetricotlp.NewExportRequestFromMetrics(tenantGauge("tenant_probe", 1))); err != nil {
		t.Fatalf("team-a metrics over gRPC: %v", err)
	}
	cancel()
	metricsB, _ := pmetricotlp.NewExportRequestFromMetrics(tenantGauge("tenant_probe", 2)).MarshalProto()
	code, body = postOTLP(t, s.http, "/v1/metrics", metricsB, "Authorization", bKey)
	want(t, "team-b metrics", code, body, 200, "")
	wr := prompb.WriteRequest{Timeseries: []prompb.TimeSeries{{
		Labels:  []prompb.Label{{Name: "__name__", Value: "rw_probe"}},
		Samples: []prompb.Sample{{Value: 7, Timestamp: time.Now().UnixMilli()}},
	}}}
	raw, _ := wr.Marshal()
	code, body = postOTLP(t, s.api, "/prometheus/api/v1/write", snappy.Encode(nil, raw), "Authorization", bKey,
		"Content-Encoding", "snappy", "X-Prometheus-Remote-Write-Version", "0.1.0")
	if code/100 != 2 {
		t.Fatalf("remote write team-b: %d %s", code, body)
	}
	code, body = postOTLP(t, s.api, "/prometheus/api/v1/write", snappy.Encode(nil, raw), "Authorization", anyKey,
		"Content-Encoding", "snappy", "X-Prometheus-Remote-Write-Version", "0.1.0")
	want(t, "remote write without a tenant", code, body, 401, "X-Scope-OrgID")
	// max_tenants 3: default, team-a, team-b.
	code, body = postOTLP(t, s.http, "/v1/logs", logsA, "Authorization", anyKey, hdr, "team-c")
	want(t, "a fourth tenant", code, body, 429, "max_tenants")
	for _, tnt := range []string{"team-a", "team-b"} {
		if _, err := os.Stat(filepath.Join(s.dataDir, "tenants", tnt)); err != nil {
			t.Errorf("tenant directory: %v", err)
		}
	}

	// Reads. No user exists yet: the header chooses.
	api := newAPIClient(t, "http://"+s.api)
	now := time.Now().UTC()
	searchBody := fmt.Sprintf(`{"source":"logs","query":"","limit":1000,"start":%q,"end":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339Nano), now.Add(time.Minute).Format(time.RFC3339Nano))
	code, _, body = api.do("POST", "/api/search", "application/json", searchBody)
	want(t, "search without a tenant", code, body, 401, "X-Scope-OrgID")
	bodies := func(tenant string) []string {
		code, _, body := api.do("POST", "/api/search", "application/json", searchBody, hdr, tenant)
		var res searchResult
		if code != 200 || json.Unmarshal([]byte(body), &res) != nil {
			t.Fatalf("search as %s: %d %s", tenant, code, body)
		}
		var out []string
		for _, r := range res.Rows {
			out = append(out, fmt.Sprint(r["Body"]))
		}
		sort.Strings(out)
		return out
	}
	wantList := func(what string, got, want []string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	wantList("team-a's logs", bodies("team-a"), []string{"log-team-a-0", "log-team-a-1", "log-team-a-2", "log-team-a-grpc-0"})
	wantList("team-b's logs", bodies("team-b"), []string{"log-team-b-0", "log-team-b-1", "log-team-b-grpc-0"})
	wantList("default's logs", bodies("default"), nil)

	// The client-sent overlook.tenant was replaced and is not stored.
	code, _, body = api.do("POST", "/api/search", "application/json", searchBody, hdr, "team-a")
	if code != 200 || strings.Contains(body, "overlook.tenant") {
		t.Errorf("stored resource still has overlook.tenant: %s", body)
	}

	idA, idB := strings.Repeat("0a", 4)+"0102030405060708090a0b0c", strings.Repeat("0b", 4)+"0102030405060708090a0b0c"
	for _, c := range []struct {
		path, tenant string
		code         int
	}{
		{"/api/traces/" + idA, "team-a", 200}, {"/api/traces/" + idA, "team-b", 404},
		{"/api/traces/" + idB, "team-b", 200}, {"/api/traces/" + idB, "team-a", 404},
		{"/tempo/api/traces/" + idA, "team-a", 200}, {"/tempo/api/traces/" + idA, "team-b", 404},
		{"/tempo/api/v2/traces/" + idB, "team-b", 200}, {"/tempo/api/v2/traces/" + idB, "team-a", 404},
	} {
		code, _, body := api.do("GET", c.path, "", "", hdr, c.tenant)
		if code != c.code {
			t.Errorf("GET %s as %s: %d %s, want %d", c.path, c.tenant, code, body, c.code)
		}
	}
	// Fields: each tenant sees only its attribute keys.
	for tnt, own := range map[string]string{"team-a": "only_a", "team-b": "only_b"} {
		other := map[string]string{"only_a": "only_b", "only_b": "only_a"}[own]
		code, _, body := api.do("GET", "/api/fields?source=logs", "", "", hdr, tnt)
		if code != 200 || !strings.Contains(body, own) || strings.Contains(body, other) {
			t.Errorf("fields of %s: %d %s", tnt, code, body)
		}
	}
	// Chart: count of logs per tenant.
	chartBody := fmt.Sprintf(`{"source":"logs","where":"","select":[{"aggFn":"count"}],"displayType":"number","start":%q,"end":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339Nano), now.Add(time.Minute).Format(time.RFC3339Nano))
	for tnt, n := range map[string]string{"team-a": "4", "team-b": "3"} {
		code, _, body := api.do("POST", "/api/chart", "application/json", chartBody, hdr, tnt)
		var chart struct {
			Series []struct {
				Points [][2]*float64 `json:"points"`
			} `json:"series"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &chart) != nil || len(chart.Series) != 1 || len(chart.Series[0].Points) != 1 ||
			chart.Series[0].Points[0][1] == nil || fmt.Sprint(*chart.Series[0].Points[0][1]) != n {
			t.Errorf("chart count of %s: %d %s, want %s", tnt, code, body, n)
		}
	}
	// PromQL.
	promql := func(tenant, q string) []promSample {
		t.Helper()
		code, _, body := api.do("GET", "/prometheus/api/v1/query?"+url.Values{"query": {q}, "time": {fmt.Sprint(time.Now().Unix() + 1)}}.Encode(), "", "", hdr, tenant)
		var res struct {
			Data struct {
				Result []promSample `json:"result"`
			} `json:"data"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &res) != nil {
			t.Fatalf("PromQL %q as %s: %d %s", q, tenant, code, body)
		}
		return res.Data.Result
	}
	values := func(vec []promSample) []string {
		var out []string
		for _, s := range vec {
			out = append(out, fmt.Sprint(s.Value[1]))
		}
		sort.Strings(out)
		return out
	}
	wantList("team-a tenant_probe", values(promql("team-a", "tenant_probe")), []string{"1"})
	wantList("team-b tenant_probe", values(promql("team-b", "tenant_probe")), []string{"2"})
	wantList("team-a rw_probe", values(promql("team-a", "rw_probe")), nil)
	wantList("team-b rw_probe", values(promql("team-b", "rw_probe")), []string{"7"})

	// Tempo search: each tenant finds only its trace.
	for tnt, id := range map[string]string{"team-a": idA, "team-b": idB} {
		code, _, body := api.do("GET", "/tempo/api/search?q="+url.QueryEscape("{}"), "", "", hdr, tnt)
		var res struct {
			Traces []struct {
				TraceID string `json:"traceID"`
			} `json:"traces"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &res) != nil || len(res.Traces) != 1 || !strings.HasSuffix(id, strings.TrimLeft(res.Traces[0].TraceID, "0")) {
			t.Errorf("Tempo search of %s: %d %s", tnt, code, body)
		}
	}

	// Dashboards and alerts are per tenant.
	code, _, body = api.do("POST", "/api/dashboards", "application/json", `{"name":"dash-of-a","tiles":[]}`, hdr, "team-a")
	want(t, "team-a saves a dashboard", code, body, 201, "dash-of-a")
	code, _, body = api.do("POST", "/api/alerts", "application/json", `{"name":"alert-of-a","source":"logs","query":"x","whereLanguage":"lucene","groupBy":[],"interval":"1m","thresholdType":"above","threshold":1,"channel":{"type":"webhook","url":"http://127.0.0.1:9/"}}`, hdr, "team-a")
	want(t, "team-a saves an alert", code, body, 201, "alert-of-a")
	for _, c := range []struct{ path, tenant, name string }{
		{"/api/dashboards", "team-a", "dash-of-a"}, {"/api/alerts", "team-a", "alert-of-a"},
	} {
		_, _, own := api.do("GET", c.path, "", "", hdr, c.tenant)
		_, _, other := api.do("GET", c.path, "", "", hdr, "team-b")
		if !strings.Contains(own, c.name) || strings.Contains(other, c.name) {
			t.Errorf("%s: team-a sees %s, team-b sees %s", c.path, own, other)
		}
	}

	// Recording rules run in every tenant over its own data, writing
	// into it.
	waitFor(t, 20*time.Second, "recording rules of both tenants", func() bool {
		return len(promql("team-a", "probe:doubled")) == 1 && len(promql("team-b", "probe:doubled")) == 1
	})
	wantList("team-a probe:doubled", values(promql("team-a", "probe:doubled")), []string{"2"})
	wantList("team-b probe:doubled", values(promql("team-b", "probe:doubled")), []string{"4"})
	wantList("default probe:doubled", values(promql("default", "probe:doubled")), nil)
	// Each tenant's rules engine has its own metrics, labelled tenant.
	code, _, body = api.do("GET", "/metrics", "", "")
	for _, tnt := range []string{"default", "team-a", "team-b"} {
		if code != 200 || !strings.Contains(body, `prometheus_config_last_reload_successful{tenant="`+tnt+`"} 1`) {
			t.Errorf("/metrics lacks the rules engine of %s", tnt)
		}
	}

	// Browser sessions (of the spans' rum.sessionId) are per tenant.
	sessBody := fmt.Sprintf(`{"start":%q,"end":%q}`, now.Add(-time.Hour).Format(time.RFC3339Nano), now.Add(time.Minute).Format(time.RFC3339Nano))
	for tnt, wantSess := range map[string][]string{
		"team-a": {"sess-team-a"}, "team-b": {"sess-team-b"},
	} {
		code, _, body := api.do("POST", "/api/sessions", "application/json", sessBody, hdr, tnt)
		var res struct {
			Sessions []struct {
				SessionID string `json:"sessionId"`
			} `json:"sessions"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &res) != nil {
			t.Fatalf("sessions of %s: %d %s", tnt, code, body)
		}
		var ids []string
		for _, s := range res.Sessions {
			ids = append(ids, s.SessionID)
		}
		sort.Strings(ids)
		wantList("sessions of "+tnt, ids, wantSess)
	}

	// Span metrics and the service graph stay in the source tenant.
	services := func(tenant, q, label string) []string {
		var out []string
		for _, smp := range promql(tenant, q) {
			out = append(out, smp.Metric[label])
		}
		sort.Strings(out)
		return out
	}
	waitFor(t, 20*time.Second, "span metrics and service graph of both tenants", func() bool {
		return len(services("team-a", "traces_service_graph_request_total", "client")) > 0 &&
			len(services("team-b", "traces_service_graph_request_total", "client")) > 0 &&
			len(services("team-b", "traces_spanmetrics_calls_total", "service")) == 2
	})
	for _, tnt := range []string{"team-a", "team-b"} {
		wantList(tnt+" span metrics", services(tnt, "traces_spanmetrics_calls_total", "service"), []string{tnt + "-back", tnt + "-front"})
		wantList(tnt+" service graph clients", services(tnt, `traces_service_graph_request_total{connection_type=""}`, "client"), []string{tnt + "-front"})
		wantList(tnt+" service graph servers", services(tnt, `traces_service_graph_request_total{connection_type=""}`, "server"), []string{tnt + "-back"})
	}
	wantList("default span metrics", services("default", "traces_spanmetrics_calls_total", "service"), nil)

	// Cross-tenant reads (enabled; anonymous is admin while no user exists).
	code, _, body = api.do("GET", "/tempo/api/traces/"+idB, "", "", hdr, "team-a|team-b")
	want(t, "cross-tenant trace by ID", code, body, 200, "team-b-back")
	wantList("cross-tenant search", bodies("team-a|team-b"), []string{"log-team-a-0", "log-team-a-1", "log-team-a-2", "log-team-a-grpc-0", "log-team-b-0", "log-team-b-1", "log-team-b-grpc-0"})
	code, _, body = api.do("GET", "/api/fields?source=logs", "", "", hdr, "team-a|team-b")
	want(t, "cross-tenant fields", code, body, 400, "cross-tenant reads work for")

	var tenants struct {
		Enabled bool     `json:"enabled"`
		Header  string   `json:"header"`
		Tenants []string `json:"tenants"`
		Current string   `json:"current"`
	}
	_, _, body = api.do("GET", "/api/tenants", "", "", hdr, "team-b")
	if err := json.Unmarshal([]byte(body), &tenants); err != nil || !tenants.Enabled || tenants.Header != hdr || tenants.Current != "team-b" ||
		!slices.Equal(tenants.Tenants, []string{"default", "team-a", "team-b"}) {
		t.Errorf("/api/tenants: %s", body)
	}

	// Users: a viewer bound to team-a reads team-a only; an admin chooses.
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("tenant-password-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	userAdd(t, "--config", s.configPath, "--data", s.dataDir, "--email", "admin@example.com", "--role", "admin", "--password-file", pw)
	userAdd(t, "--config", s.configPath, "--data", s.dataDir, "--email", "a@example.com", "--role", "viewer", "--tenant", "team-a", "--password-file", pw)
	admin, viewer := newAPIClient(t, "http://"+s.api), newAPIClient(t, "http://"+s.api)
	admin.login("admin@example.com", "tenant-password-1")
	viewer.login("a@example.com", "tenant-password-1")
	code, _, body = viewer.do("POST", "/api/search", "application/json", searchBody)
	if code != 200 || !strings.Contains(body, "log-team-a-0") || strings.Contains(body, "log-team-b") {
		t.Errorf("viewer of team-a without a header: %d %s", code, body)
	}
	code, _, body = viewer.do("POST", "/api/search", "application/json", searchBody, hdr, "team-b")
	want(t, "viewer of team-a asks for team-b", code, body, 403, `cannot read tenant \"team-b\"`)
	code, _, body = viewer.do("GET", "/tempo/api/traces/"+idA, "", "", hdr, "team-a|team-b")
	want(t, "viewer's cross-tenant read", code, body, 403, "")
	_, _, body = viewer.do("GET", "/api/tenants", "", "")
	if err := json.Unmarshal([]byte(body), &tenants); err != nil || tenants.Current != "team-a" || !slices.Equal(tenants.Tenants, []string{"team-a"}) {
		t.Errorf("/api/tenants of the viewer: %s", body)
	}
	code, _, body = admin.do("POST", "/api/search", "application/json", searchBody, hdr, "team-b")
	if code != 200 || !strings.Contains(body, "log-team-b-0") || strings.Contains(body, "log-team-a") {
		t.Errorf("admin reading team-b: %d %s", code, body)
	}
	code, _, body = admin.do("GET", "/tempo/api/v2/traces/"+idA, "", "", hdr, "team-a|team-b")
	want(t, "admin's cross-tenant read", code, body, 200, "team-a-front")
}

// TestTenancyOverSingleTenantData: a data directory written without
// multitenancy is the default tenant's once it is turned on, unchanged.
func TestTenancyOverSingleTenantData(t *testing.T) {
	s := newServer(t, "")
	s.start()
	ld, _ := plogotlp.NewExportRequestFromLogs(tenantLogs("before-tenancy", "x", 2)).MarshalProto()
	code, body := postOTLP(t, s.http, "/v1/logs", ld)
	want(t, "single-tenant ingest", code, body, 200, "")
	s.stop()

	on := filepath.Join(t.TempDir(), "on.yaml")
	if err := os.WriteFile(on, []byte("extensions:\n  overlook:\n    multitenancy:\n      enabled: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.extraArgs = append(s.extraArgs, "--config", on)
	s.start()
	api := newAPIClient(t, "http://"+s.api)
	now := time.Now().UTC()
	q := fmt.Sprintf(`{"source":"logs","query":"","limit":100,"start":%q,"end":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339Nano), now.Add(time.Minute).Format(time.RFC3339Nano))
	code, _, body = api.do("POST", "/api/search", "application/json", q, "X-Scope-OrgID", "default")
	var res searchResult
	if code != 200 || json.Unmarshal([]byte(body), &res) != nil || res.Count != 2 || len(res.Rows) != 2 {
		t.Fatalf("old data as tenant default: %d %s", code, body)
	}
	// Its resource kept the attribute the client sent (tenancy was off).
	if !strings.Contains(body, `"overlook.tenant":"team-b"`) {
		t.Errorf("single-tenant data changed: %s", body)
	}
	code, _, body = api.do("POST", "/api/search", "application/json", q, "X-Scope-OrgID", "other")
	if code != 200 || !strings.Contains(body, `"count":0`) {
		t.Errorf("another tenant sees the old data: %d %s", code, body)
	}
}

// TestTenancyRemoteWriteOut: a prometheusremotewrite exporter whose
// requests go through the contrib headers_setter extension
// (from_attribute: tenant) forwards each request's tenant as
// X-Scope-OrgID, as Tempo and Mimir expect.
func TestTenancyRemoteWriteOut(t *testing.T) {
	got := make(chan string, 16)
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("X-Scope-OrgID")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer sink.Close()
	s := newServer(t, fmt.Sprintf(`extensions:
  overlook:
    multitenancy:
      enabled: true
  headers_setter:
    headers:
      - key: X-Scope-OrgID
        from_attribute: tenant
exporters:
  prometheusremotewrite:
    endpoint: %s/api/v1/write
    auth:
      authenticator: headers_setter
service:
  extensions: [overlook, headers_setter]
  pipelines:
    metrics/out:
      receivers: [otlp]
      exporters: [prometheusremotewrite]
`, sink.URL))
	s.start()
	for _, tnt := range []string{"team-a", "team-b"} {
		body, _ := pmetricotlp.NewExportRequestFromMetrics(tenantGauge("out_probe", 1)).MarshalProto()
		code, msg := postOTLP(t, s.http, "/v1/metrics", body, "X-Scope-OrgID", tnt)
		want(t, "metrics of "+tnt, code, msg, 200, "")
		select {
		case h := <-got:
			if h != tnt {
				t.Errorf("remote write out for %s sent X-Scope-OrgID %q", tnt, h)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no remote write for %s", tnt)
		}
	}
}

// TestTenancyClickHouse: with the ClickHouse backend, a tenant's data goes
// to database <database>_<tenant>, created on first use, and tenants do
// not see each other's logs.
func TestTenancyClickHouse(t *testing.T) {
	ch := chdb.Start(t, chdb.Options{})
	s := newServer(t, clickhouseConfig(ch.Endpoint, `    multitenancy:
      enabled: true
`))
	s.start()
	for _, tnt := range []string{"team-a", "team-b"} {
		body, _ := plogotlp.NewExportRequestFromLogs(tenantLogs("ch-"+tnt, "x", 2)).MarshalProto()
		code, msg := postOTLP(t, s.http, "/v1/logs", body, "X-Scope-OrgID", tnt)
		want(t, "logs of "+tnt, code, msg, 200, "")
	}
	api := newAPIClient(t, "http://"+s.api)
	now := time.Now().UTC()
	q := fmt.Sprintf(`{"source":"logs","query":"","limit":100,"start":%q,"end":%q}`,
		now.Add(-time.Hour).Format(time.RFC3339Nano), now.Add(time.Minute).Format(time.RFC3339Nano))
	for _, tnt := range []string{"team-a", "team-b", "default"} {
		code, _, body := api.do("POST", "/api/search", "application/json", q, "X-Scope-OrgID", tnt)
		var res searchResult
		if code != 200 || json.Unmarshal([]byte(body), &res) != nil {
			t.Fatalf("search as %s: %d %s", tnt, code, body)
		}
		wantN := 2
		if tnt == "default" {
			wantN = 0
		}
		if len(res.Rows) != wantN {
			t.Errorf("%s: %d rows, want %d: %s", tnt, len(res.Rows), wantN, body)
		}
		for _, r := range res.Rows {
			if !strings.HasPrefix(fmt.Sprint(r["Body"]), "ch-"+tnt) {
				t.Errorf("%s reads %v", tnt, r["Body"])
			}
		}
	}
}
