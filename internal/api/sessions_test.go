package api

import (
	"context"
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

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// newSessionServer stores one browser session: a page load, a fetch that
// failed with 500, and a recording whose second event lost a chunk.
func newSessionServer(t *testing.T) *httptest.Server {
	t.Helper()
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	t0 := testNow.Add(-10 * time.Minute)
	ts := func(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t0.Add(d)) }
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop-web")
	rs.Resource().Attributes().PutStr(store.SessionAttr, "sess-1")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i, s := range []struct{ name, comp, status string }{
		{"documentLoad", "document-load", ""}, {"HTTP POST", "fetch", "500"}, {"click", "user-interaction", ""},
	} {
		sp := spans.AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{9, byte(i + 1)})
		sp.SetSpanID(pcommon.SpanID{byte(i + 1)})
		sp.SetName(s.name)
		sp.SetStartTimestamp(ts(time.Duration(i) * time.Second))
		sp.SetEndTimestamp(ts(time.Duration(i)*time.Second + 10*time.Millisecond))
		sp.Attributes().PutStr("component", s.comp)
		sp.Attributes().PutStr("userEmail", "braulio@example.com")
		if s.status != "" {
			sp.Attributes().PutStr("http.status_code", s.status)
			sp.Attributes().PutStr("http.method", "POST")
			sp.Attributes().PutStr("http.url", "http://shop/api/checkout")
		}
	}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr(store.SessionAttr, "sess-1")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	rec := func(d time.Duration, ev, chunk, total float64, body string) {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(ts(d))
		lr.Body().SetStr(body)
		lr.Attributes().PutDouble("rr-web.event", ev)
		lr.Attributes().PutDouble("rr-web.chunk", chunk)
		lr.Attributes().PutDouble("rr-web.total-chunks", total)
	}
	rec(0, 1, 1, 1, `{"type":4,"data":{"href":"http://shop/","width":800,"height":600},"timestamp":1}`)
	rec(time.Millisecond, 2, 1, 2, `{"type":2,"timestamp":2,"data":{"node":`) // chunk 2 of 2 never arrives
	rec(2*time.Millisecond, 3, 1, 1, `{"type":3,"data":{"source":2,"type":2,"id":7},"timestamp":3}`)
	rec(3*time.Millisecond, 4, 1, 1, `{"type":3,"data":{"source":2,"type":2,"id":8},"timestamp":4}`)
	ctx := context.Background()
	if err := st.InsertTraces(ctx, td); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSessions(ctx, ld); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: st, Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv
}

func TestSessionsAPI(t *testing.T) {
	srv := newSessionServer(t)
	rng := "start=" + testNow.Add(-time.Hour).Format(time.RFC3339) + "&end=" + testNow.Format(time.RFC3339)

	code, body := do(t, "POST", srv.URL+"/api/sessions", `{"query":"SpanAttributes.userEmail:braulio","start":"`+
		testNow.Add(-time.Hour).Format(time.RFC3339)+`","end":"`+testNow.Format(time.RFC3339)+`"}`)
	if code != http.StatusOK {
		t.Fatalf("sessions: %d %v", code, body)
	}
	list := body["sessions"].([]any)
	if len(list) != 1 {
		t.Fatalf("sessions: %v", body)
	}
	s := list[0].(map[string]any)
	if s["sessionId"] != "sess-1" || s["userEmail"] != "braulio@example.com" || s["errorCount"] != 1.0 ||
		s["requestCount"] != 1.0 || s["pageViews"] != 1.0 || s["durationMs"] != 2010.0 {
		t.Errorf("summary: %v", s)
	}

	code, body = do(t, "GET", srv.URL+"/api/sessions/sess-1/timeline?"+rng, "")
	if code != http.StatusOK {
		t.Fatalf("timeline: %d %v", code, body)
	}
	var kinds []string
	for _, e := range body["entries"].([]any) {
		m := e.(map[string]any)
		kinds = append(kinds, m["kind"].(string))
		if m["kind"] == "request" && (m["status"] != 500.0 || m["error"] != true || m["highlighted"] != true || m["traceId"] == "") {
			t.Errorf("failed request entry: %v", m)
		}
	}
	if strings.Join(kinds, ",") != "navigation,request,click" {
		t.Errorf("timeline kinds %v", kinds)
	}

	// The recording lost chunk 2 of the full snapshot: the rest replays,
	// and the answer says what is missing.
	code, body = do(t, "GET", srv.URL+"/api/sessions/sess-1/events?"+rng, "")
	if code != http.StatusOK {
		t.Fatalf("events: %d %v", code, body)
	}
	if n := len(body["events"].([]any)); n != 3 {
		t.Errorf("%d events, want 3 (meta and two incremental)", n)
	}
	var msgs []string
	for _, w := range body["warnings"].([]any) {
		msgs = append(msgs, w.(map[string]any)["message"].(string))
	}
	joined := strings.Join(msgs, "\n")
	if !strings.Contains(joined, "chunk 2 of 2 never arrived") || !strings.Contains(joined, "first full snapshot of the page is missing") {
		t.Errorf("warnings:\n%s", joined)
	}
	if body["next"] != nil {
		t.Errorf("next = %v on the only page", body["next"])
	}

	// Paging: two records a page; the next page starts where the last one
	// ended, and every event arrives once over the pages.
	var got int
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		url := srv.URL + "/api/sessions/sess-1/events?limit=2&" + rng
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		code, body = do(t, "GET", url, "")
		if code != http.StatusOK {
			t.Fatalf("events page: %d %v", code, body)
		}
		got += len(body["events"].([]any))
		next, _ := body["next"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if got != 3 {
		t.Errorf("%d events over the pages, want 3", got)
	}

	for _, tc := range []struct{ url, want string }{
		{"/api/sessions/sess-1/events?cursor=-1&" + rng, "invalid cursor"},
		{"/api/sessions/sess-1/events?limit=0&" + rng, "invalid limit"},
		{"/api/sessions/sess-1/timeline?start=yesterday", "invalid start"},
	} {
		resp, err := http.Get(srv.URL + tc.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d %s, want 400 %q", tc.url, resp.StatusCode, b, tc.want)
		}
	}
}

func TestBrowserOf(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36":                     "Chrome 131",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91": "Edge 120",
		"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                            "Firefox 133",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15":             "Safari 17",
		"curl/8": "curl/8",
	} {
		if got := browserOf(ua); got != want {
			t.Errorf("browserOf(%q) = %q, want %q", ua, got, want)
		}
	}
}
