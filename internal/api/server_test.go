package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

var (
	testTraceID = pcommon.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	testNow     = time.Now().UTC().Truncate(time.Millisecond)
)

// newTestServer serves the API over a real store holding one trace of two
// spans and two logs, one of them correlated with the trace.
func newTestServer(t *testing.T) (*httptest.Server, *Server) {
	t.Helper()
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "payment")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i, name := range []string{"charge", "validate card"} {
		sp := spans.AppendEmpty()
		sp.SetTraceID(testTraceID)
		sp.SetSpanID(pcommon.SpanID{byte(i + 1)})
		sp.SetName(name)
		start := testNow.Add(-time.Minute + time.Duration(i)*time.Second)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Second)))
		sp.Attributes().PutStr("app.payment.card_type", "visa")
	}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "payment")
	for i, body := range []string{"Visa cache full", "order placed"} {
		r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(testNow.Add(-time.Duration(2-i) * time.Second)))
		r.Body().SetStr(body)
		r.SetSeverityText("ERROR")
		if i == 0 {
			r.SetTraceID(testTraceID)
		}
	}
	ctx := context.Background()
	if err := st.InsertTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertLogs(ctx, ld); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: st, Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler)})
	a.SetReady(true)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv, a
}

func do(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: bad JSON %q: %v", method, url, raw, err)
		}
	}
	return resp.StatusCode, out
}

func TestSearch(t *testing.T) {
	srv, _ := newTestServer(t)
	rng := `,"start":"` + testNow.Add(-time.Hour).Format(time.RFC3339) + `","end":"` + testNow.Add(time.Minute).Format(time.RFC3339Nano) + `"`
	tests := []struct {
		name      string
		body      string
		code      int
		count     float64
		errSubstr string
		position  float64 // -1: none expected
	}{
		{"all logs", `{"source":"logs","query":""` + rng + `}`, 200, 2, "", -1},
		{"free text", `{"source":"logs","query":"visa"` + rng + `}`, 200, 1, "", -1},
		{"attribute path", `{"source":"traces","query":"SpanAttributes.app.payment.card_type:visa AND SpanName:charge"` + rng + `}`, 200, 1, "", -1},
		{"sql mode", `{"source":"traces","whereLanguage":"sql","query":"SpanName = 'charge'"` + rng + `}`, 200, 1, "", -1},
		{"limit keeps count", `{"source":"logs","limit":1` + rng + `}`, 200, 2, "", -1},
		{"default range is last 15 minutes", `{"source":"logs"}`, 200, 2, "", -1},
		{"unknown source", `{"source":"spans"}`, 400, 0, `use "logs" or "traces"`, -1},
		{"syntax error", `{"source":"logs","query":"(visa AND"` + rng + `}`, 400, 0, "invalid query", 0},
		{"bad start", `{"source":"logs","start":"yesterday"}`, 400, 0, "RFC 3339", -1},
		{"start after end", `{"source":"logs","start":"2026-01-02T00:00:00Z","end":"2026-01-01T00:00:00Z"}`, 400, 0, "not before", -1},
		{"limit too big", `{"source":"logs","limit":100000}`, 400, 0, "out of range", -1},
		{"unknown language", `{"source":"logs","whereLanguage":"kql"}`, 400, 0, "whereLanguage", -1},
		{"unknown JSON field", `{"source":"logs","qurey":"x"}`, 400, 0, "unknown field", -1},
		{"empty body", ``, 400, 0, "empty", -1},
		{"not JSON", `source=logs`, 400, 0, "invalid JSON", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := do(t, "POST", srv.URL+"/api/search", tc.body)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %v", code, tc.code, out)
			}
			if tc.code == 200 {
				if out["count"] != tc.count {
					t.Errorf("count = %v, want %v", out["count"], tc.count)
				}
				return
			}
			if msg, _ := out["error"].(string); !strings.Contains(msg, tc.errSubstr) {
				t.Errorf("error %q lacks %q", msg, tc.errSubstr)
			}
			if _, has := out["position"]; has != (tc.position >= 0) {
				t.Errorf("position present = %v, want %v (%v)", has, tc.position >= 0, out)
			}
		})
	}
}

func TestSearchNewestFirst(t *testing.T) {
	srv, _ := newTestServer(t)
	code, out := do(t, "POST", srv.URL+"/api/search", `{"source":"logs"}`)
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	rows := out["rows"].([]any)
	if len(rows) != 2 || rows[0].(map[string]any)["Body"] != "order placed" {
		t.Errorf("rows not newest first: %v", rows)
	}
}

func TestTraceEndpoints(t *testing.T) {
	srv, _ := newTestServer(t)
	id := testTraceID.String()
	code, out := do(t, "GET", srv.URL+"/api/traces/"+strings.ToUpper(id), "")
	if code != 200 || out["traceId"] != id || len(out["spans"].([]any)) != 2 {
		t.Fatalf("trace: status %d, %v", code, out)
	}
	if first := out["spans"].([]any)[0].(map[string]any); first["SpanName"] != "charge" {
		t.Errorf("spans not ordered by start: first is %v", first["SpanName"])
	}
	code, out = do(t, "GET", srv.URL+"/api/traces/"+id+"/logs", "")
	if code != 200 || out["count"] != float64(1) {
		t.Fatalf("trace logs: status %d, %v", code, out)
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/api/traces/" + strings.Repeat("ab", 16), 404},
		{"/api/traces/xyz", 400},
		{"/api/traces/" + id + "/logs?limit=0", 400},
		{"/api/nothing", 404},
	} {
		if code, out := do(t, "GET", srv.URL+tc.path, ""); code != tc.code || out["error"] == "" {
			t.Errorf("GET %s: status %d (%v), want %d with an error message", tc.path, code, out, tc.code)
		}
	}
}

func TestFieldsAndHealth(t *testing.T) {
	srv, a := newTestServer(t)
	code, out := do(t, "GET", srv.URL+"/api/fields?source=traces", "")
	if code != 200 {
		t.Fatalf("fields: status %d %v", code, out)
	}
	found := false
	for _, f := range out["fields"].([]any) {
		if f.(map[string]any)["name"] == "SpanAttributes.app.payment.card_type" {
			found = true
		}
	}
	if !found {
		t.Errorf("fields lack SpanAttributes.app.payment.card_type: %v", out["fields"])
	}
	if code, _ := do(t, "GET", srv.URL+"/api/fields?source=nope", ""); code != 400 {
		t.Errorf("fields with bad source: %d", code)
	}
	if code, _ := do(t, "GET", srv.URL+"/ready", ""); code != 200 {
		t.Errorf("ready: %d", code)
	}
	a.SetReady(false)
	if code, _ := do(t, "GET", srv.URL+"/ready", ""); code != 503 {
		t.Errorf("not ready: %d", code)
	}
	if code, _ := do(t, "GET", srv.URL+"/healthz", ""); code != 200 {
		t.Errorf("healthz: %d", code)
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `overlook_http_requests_total{code="200",endpoint="fields"} 1`) {
		t.Errorf("/metrics lacks the request counter:\n%s", body)
	}
}
