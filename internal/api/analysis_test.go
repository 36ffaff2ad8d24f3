package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// analysisT0 is the start of the analysis test data: fixed, so that
// buckets and answers are exact.
var analysisT0 = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)

// analysisRange is [T0, T0+10m) as request fields.
var analysisRange = `"start":"2026-01-01T10:00:00Z","end":"2026-01-01T10:10:00Z"`

// newAnalysisServer serves the API over a store holding:
//
//	logs (10): 4 × frontend "Failed to place order: … order=N" (ERROR),
//	  3 × frontend "GET /api/products/ID 200 Nms" (INFO),
//	  2 × payment "Visa cache full: cannot add new item." (ERROR),
//	  1 × payment "charged card" (INFO); one per minute from T0.
//	spans (20) of payment: 4 slow (300 ms) all visa, 2 of them Error
//	  "Visa cache full"; 16 fast (50 ms), 4 visa and 12 mastercard;
//	  every span a unique order.id.
//	metrics: k8s.pod.memory.usage of pod payment-1 (and of another pod),
//	  k8s.node.cpu.usage of node node-a.
func newAnalysisServer(t *testing.T, lim AnalysisLimits) *httptest.Server {
	t.Helper()
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()

	ld := plog.NewLogs()
	type logSpec struct {
		svc, body string
		sev       plog.SeverityNumber
	}
	var specs []logSpec
	for i := range 4 {
		specs = append(specs, logSpec{"frontend", fmt.Sprintf("Failed to place order: rpc error: code = Unknown desc = Visa cache full order=%d", 1000+i), plog.SeverityNumberError})
	}
	for i, id := range []string{"OLJCESPC7Z", "66VCHSJNUP", "1YMWWN1N4O"} {
		specs = append(specs, logSpec{"frontend", fmt.Sprintf("GET /api/products/%s 200 %dms", id, 10+i), plog.SeverityNumberInfo})
	}
	specs = append(specs, logSpec{"payment", "Visa cache full: cannot add new item.", plog.SeverityNumberError},
		logSpec{"payment", "Visa cache full: cannot add new item.", plog.SeverityNumberError},
		logSpec{"payment", "charged card", plog.SeverityNumberInfo})
	for i, sp := range specs {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", sp.svc)
		rl.Resource().Attributes().PutStr("k8s.pod.name", sp.svc+"-1")
		r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(analysisT0.Add(time.Duration(i) * time.Minute)))
		r.Body().SetStr(sp.body)
		r.SetSeverityNumber(sp.sev)
		r.SetSeverityText(map[bool]string{true: "ERROR", false: "INFO"}[sp.sev == plog.SeverityNumberError])
		r.Attributes().PutStr("http.route", map[bool]string{true: "/api/checkout", false: "/api/products"}[i < 4])
	}
	if err := st.InsertLogs(ctx, ld); err != nil {
		t.Fatal(err)
	}

	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "payment")
	rs.Resource().Attributes().PutStr("k8s.pod.name", "payment-1")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("payment")
	for i := range 20 {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{byte(i + 1), 1})
		sp.SetSpanID(pcommon.SpanID{byte(i + 1), 2})
		sp.SetName("charge")
		sp.SetKind(ptrace.SpanKindServer)
		start := analysisT0.Add(time.Duration(i) * 20 * time.Second)
		dur := 50 * time.Millisecond
		card := "mastercard"
		switch {
		case i < 4:
			dur, card = 300*time.Millisecond, "visa"
			if i < 2 {
				sp.Status().SetCode(ptrace.StatusCodeError)
				sp.Status().SetMessage("Visa cache full")
			}
		case i < 8:
			card = "visa"
		}
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(dur)))
		sp.Attributes().PutStr("app.payment.card_type", card)
		sp.Attributes().PutStr("order.id", fmt.Sprintf("order-%d", i))
	}
	if err := st.InsertTraces(ctx, td); err != nil {
		t.Fatal(err)
	}

	md := pmetric.NewMetrics()
	gauge := func(name, unit string, attrs map[string]string, base float64) {
		rm := md.ResourceMetrics().AppendEmpty()
		for k, v := range attrs {
			rm.Resource().Attributes().PutStr(k, v)
		}
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName(name)
		m.SetUnit(unit)
		g := m.SetEmptyGauge()
		for i := range 3 {
			dp := g.DataPoints().AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(analysisT0.Add(time.Duration(i) * time.Minute)))
			dp.SetDoubleValue(base + float64(i))
		}
	}
	gauge("k8s.pod.memory.usage", "By", map[string]string{"k8s.pod.name": "payment-1", "k8s.node.name": "node-a"}, 100)
	gauge("k8s.pod.memory.usage", "By", map[string]string{"k8s.pod.name": "frontend-1", "k8s.node.name": "node-a"}, 500)
	gauge("k8s.node.cpu.usage", "{cpu}", map[string]string{"k8s.node.name": "node-a"}, 1.5)
	if err := st.InsertMetrics(ctx, md); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: st, Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler), Analysis: lim})
	a.SetReady(true)
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv
}

// postJSON posts body and decodes the answer into out (a *string gets
// the raw answer without its final newline).
func postJSON(t *testing.T, url, body string, out any) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if sp, ok := out.(*string); ok {
		*sp = strings.TrimSpace(string(raw))
		return resp.StatusCode
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("POST %s: bad JSON %q: %v", url, raw, err)
		}
	}
	return resp.StatusCode
}

type patternsAnswer struct {
	Patterns []struct {
		Pattern    string           `json:"pattern"`
		Count      int64            `json:"count"`
		ErrorCount int64            `json:"errorCount"`
		Services   []string         `json:"services"`
		Samples    []map[string]any `json:"samples"`
		Series     [][2]int64       `json:"series"`
	} `json:"patterns"`
	RowsScanned int64 `json:"rowsScanned"`
	Sampled     bool  `json:"sampled"`
}

// summary is one line per pattern: text, count, errors, services, the
// samples' bodies (or span names) and the non-zero buckets (minutes from T0).
func (a patternsAnswer) summary() string {
	var b strings.Builder
	for _, p := range a.Patterns {
		var samples, buckets []string
		for _, s := range p.Samples {
			txt, _ := s["Body"].(string)
			if txt == "" {
				txt, _ = s["SpanName"].(string)
			}
			samples = append(samples, txt)
		}
		var sum int64
		for _, pt := range p.Series {
			sum += pt[1]
			if pt[1] != 0 {
				buckets = append(buckets, fmt.Sprintf("%ds:%d", pt[0]-analysisT0.Unix(), pt[1]))
			}
		}
		fmt.Fprintf(&b, "%s | %d/%d | %s | %q | %s | series %d sum %d\n", p.Pattern, p.Count, p.ErrorCount,
			strings.Join(p.Services, ","), samples, strings.Join(buckets, " "), len(p.Series), sum)
	}
	fmt.Fprintf(&b, "rows %d sampled %v", a.RowsScanned, a.Sampled)
	return b.String()
}

func TestPatterns(t *testing.T) {
	srv := newAnalysisServer(t, AnalysisLimits{})
	cases := []struct {
		name, body, want string
	}{
		{"logs", `{"source":"logs",` + analysisRange + `}`,
			`Failed to place order: rpc error: code = Unknown desc = Visa cache full order=<*> | 4/4 | frontend | ["Failed to place order: rpc error: code = Unknown desc = Visa cache full order=1003" "Failed to place order: rpc error: code = Unknown desc = Visa cache full order=1002" "Failed to place order: rpc error: code = Unknown desc = Visa cache full order=1001"] | 0s:1 60s:1 120s:1 180s:1 | series 120 sum 4
GET /api/products/<*> <*> <*> | 3/0 | frontend | ["GET /api/products/1YMWWN1N4O 200 12ms" "GET /api/products/66VCHSJNUP 200 11ms" "GET /api/products/OLJCESPC7Z 200 10ms"] | 240s:1 300s:1 360s:1 | series 120 sum 3
Visa cache full: cannot add new item. | 2/2 | payment | ["Visa cache full: cannot add new item." "Visa cache full: cannot add new item."] | 420s:1 480s:1 | series 120 sum 2
charged card | 1/0 | payment | ["charged card"] | 540s:1 | series 120 sum 1
rows 10 sampled false`},
		{"logs filtered and limited", `{"source":"logs","query":"level:error","limit":1,` + analysisRange + `}`,
			`Failed to place order: rpc error: code = Unknown desc = Visa cache full order=<*> | 4/4 | frontend | ["Failed to place order: rpc error: code = Unknown desc = Visa cache full order=1003" "Failed to place order: rpc error: code = Unknown desc = Visa cache full order=1002" "Failed to place order: rpc error: code = Unknown desc = Visa cache full order=1001"] | 0s:1 60s:1 120s:1 180s:1 | series 120 sum 4
rows 6 sampled false`},
		{"spans", `{"source":"traces","query":"Duration:>200ms","whereLanguage":"lucene",` + analysisRange + `}`,
			`charge | 2/0 | payment | ["charge" "charge"] | 40s:1 60s:1 | series 120 sum 2
charge Visa cache full | 2/2 | payment | ["charge" "charge"] | 0s:1 20s:1 | series 120 sum 2
rows 4 sampled false`},
	}
	for _, c := range cases {
		var got patternsAnswer
		if code := postJSON(t, srv.URL+"/api/patterns", c.body, &got); code != http.StatusOK {
			t.Fatalf("%s: status %d", c.name, code)
		}
		if s := got.summary(); s != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, s, c.want)
		}
	}
}

// TestPatternsSampled: with a sample smaller than the scope the clusters
// come from the sample but the counts are still exact, and sampled says so.
func TestPatternsSampled(t *testing.T) {
	srv := newAnalysisServer(t, AnalysisLimits{PatternSampleRows: 5})
	var got patternsAnswer
	if code := postJSON(t, srv.URL+"/api/patterns", `{"source":"logs",`+analysisRange+`}`, &got); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if !got.Sampled || got.RowsScanned != 10 {
		t.Fatalf("sampled %v rows %d, want true 10", got.Sampled, got.RowsScanned)
	}
	var total int64
	for _, p := range got.Patterns {
		total += p.Count
		if p.Pattern == "Failed to place order: rpc error: code = Unknown desc = Visa cache full order=<*>" && p.Count != 4 {
			t.Errorf("%s: count %d, want the exact 4", p.Pattern, p.Count)
		}
	}
	if total > 10 {
		t.Errorf("counts sum to %d > 10 rows", total)
	}
}

func TestDeltas(t *testing.T) {
	srv := newAnalysisServer(t, AnalysisLimits{})
	var raw string
	body := `{"source":"traces",` + analysisRange + `,"selection":{"durationMinMs":200,"durationMaxMs":null,"start":null,"end":null}}`
	if code := postJSON(t, srv.URL+"/api/deltas", body, &raw); code != http.StatusOK {
		t.Fatalf("status %d: %s", code, raw)
	}
	want := `{"selectionCount":4,"backgroundCount":16,"attributes":[` +
		`{"field":"SpanAttributes.app.payment.card_type","values":[{"value":"visa","selection":1,"background":0.25},{"value":"mastercard","selection":0,"background":0.75}],"score":0.75},` +
		`{"field":"StatusCode","values":[{"value":"Unset","selection":0.5,"background":1},{"value":"Error","selection":0.5,"background":0}],"score":0.5},` +
		`{"field":"StatusMessage","values":[{"value":"Visa cache full","selection":0.5,"background":0}],"score":0.5},` +
		`{"field":"ResourceAttributes.k8s.pod.name","values":[{"value":"payment-1","selection":1,"background":1}],"score":0},` +
		`{"field":"ResourceAttributes.service.name","values":[{"value":"payment","selection":1,"background":1}],"score":0},` +
		`{"field":"ScopeName","values":[{"value":"payment","selection":1,"background":1}],"score":0},` +
		`{"field":"ServiceName","values":[{"value":"payment","selection":1,"background":1}],"score":0},` +
		`{"field":"SpanKind","values":[{"value":"Server","selection":1,"background":1}],"score":0},` +
		`{"field":"SpanName","values":[{"value":"charge","selection":1,"background":1}],"score":0}],` +
		`"sampled":false}`
	if raw != want {
		t.Errorf("got  %s\nwant %s", raw, want)
	}
	// A time selection on logs: its rows are payment's.
	body = `{"source":"logs",` + analysisRange + `,"selection":{"start":"2026-01-01T10:07:00Z"}}`
	var got map[string]any
	if code := postJSON(t, srv.URL+"/api/deltas", body, &got); code != http.StatusOK {
		t.Fatalf("status %d: %v", code, got)
	}
	if got["selectionCount"] != 3.0 || got["backgroundCount"] != 7.0 {
		t.Errorf("counts %v/%v, want 3/7", got["selectionCount"], got["backgroundCount"])
	}
	attrs, _ := got["attributes"].([]any)
	var top []string
	for _, a := range attrs {
		if a := a.(map[string]any); a["score"] == 1.0 {
			top = append(top, a["field"].(string))
		}
	}
	if fmt.Sprint(top) != "[ResourceAttributes.k8s.pod.name ResourceAttributes.service.name ServiceName]" {
		t.Errorf("fields scoring 1: %v", top)
	}
}

func TestFacets(t *testing.T) {
	srv := newAnalysisServer(t, AnalysisLimits{})
	var got string
	if code := postJSON(t, srv.URL+"/api/facets", `{"source":"logs",`+analysisRange+`,"limit":2}`, &got); code != http.StatusOK {
		t.Fatalf("status %d: %v", code, got)
	}
	want := `{"facets":[` +
		`{"field":"ServiceName","values":[{"value":"frontend","count":7},{"value":"payment","count":3}],"distinct":2,"more":false},` +
		`{"field":"SeverityText","values":[{"value":"ERROR","count":6},{"value":"INFO","count":4}],"distinct":2,"more":false},` +
		`{"field":"ResourceAttributes.k8s.pod.name","values":[{"value":"frontend-1","count":7},{"value":"payment-1","count":3}],"distinct":2,"more":false},` +
		`{"field":"ResourceAttributes.service.name","values":[{"value":"frontend","count":7},{"value":"payment","count":3}],"distinct":2,"more":false},` +
		`{"field":"LogAttributes.http.route","values":[{"value":"/api/products","count":6},{"value":"/api/checkout","count":4}],"distinct":2,"more":false}],` +
		`"rowsScanned":10,"sampled":false}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	body := `{"source":"traces","query":"Duration > 200ms","whereLanguage":"sql",` + analysisRange + `,"fields":["SpanAttributes.app.payment.card_type","StatusCode"],"limit":1}`
	if code := postJSON(t, srv.URL+"/api/facets", body, &got); code != http.StatusOK {
		t.Fatalf("status %d: %v", code, got)
	}
	want = `{"facets":[` +
		`{"field":"SpanAttributes.app.payment.card_type","values":[{"value":"visa","count":4}],"distinct":1,"more":false},` +
		`{"field":"StatusCode","values":[{"value":"Error","count":2}],"distinct":2,"more":true}],` +
		`"rowsScanned":4,"sampled":false}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Sampled: a budget below the rows in range.
	srv = newAnalysisServer(t, AnalysisLimits{FacetRows: 5})
	var m map[string]any
	if code := postJSON(t, srv.URL+"/api/facets", `{"source":"traces",`+analysisRange+`,"fields":["ServiceName"]}`, &m); code != http.StatusOK {
		t.Fatalf("status %d: %v", code, m)
	}
	if m["sampled"] != true || m["rowsScanned"] != 5.0 {
		t.Errorf("sampled %v rowsScanned %v, want true 5", m["sampled"], m["rowsScanned"])
	}
}

func TestInfrastructure(t *testing.T) {
	srv := newAnalysisServer(t, AnalysisLimits{})
	var got string
	body := `{"resource":{"k8s.pod.name":"payment-1","k8s.node.name":"node-a","service.name":"payment"},"time":"2026-01-01T10:00:30Z","window":"1h"}`
	if code := postJSON(t, srv.URL+"/api/infrastructure", body, &got); code != http.StatusOK {
		t.Fatalf("status %d: %v", code, got)
	}
	t0 := analysisT0.Unix()
	want := `{"start":"2026-01-01T09:30:30Z","end":"2026-01-01T10:30:30Z",` +
		`"matches":[{"kind":"pod","attribute":"k8s.pod.name","value":"payment-1"},{"kind":"node","attribute":"k8s.node.name","value":"node-a"}],` +
		`"panels":[{"kind":"pod","title":"Pod memory","metric":"k8s.pod.memory.usage","unit":"By","series":[{"name":"payment-1","points":[[` +
		fmt.Sprintf("%d,100],[%d,101],[%d,102]", t0, t0+60, t0+120) + `]}]},` +
		`{"kind":"node","title":"Node CPU","metric":"k8s.node.cpu.usage","unit":"{cpu}","series":[{"name":"node-a","points":[[` +
		fmt.Sprintf("%d,1.5],[%d,2.5],[%d,3.5]", t0, t0+60, t0+120) + `]}]}],` +
		`"missing":["host.name"]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// A pod uid the metrics do not carry: the pod name matches instead.
	body = `{"resource":{"k8s.pod.uid":"0b1c","k8s.pod.name":"payment-1"},"time":"2026-01-01T10:00:30Z"}`
	if code := postJSON(t, srv.URL+"/api/infrastructure", body, &got); code != http.StatusOK {
		t.Fatalf("status %d: %v", code, got)
	}
	if !strings.Contains(got, `"matches":[{"kind":"pod","attribute":"k8s.pod.name","value":"payment-1"}],"panels":[{"kind":"pod","title":"Pod memory"`) {
		t.Errorf("uid then name: %s", got)
	}
	// Only a uid, matching nothing: the uid is the match, no panel.
	body = `{"resource":{"k8s.pod.uid":"0b1c"},"time":"2026-01-01T10:00:30Z"}`
	if code := postJSON(t, srv.URL+"/api/infrastructure", body, &got); code != http.StatusOK {
		t.Fatalf("status %d: %v", code, got)
	}
	if !strings.Contains(got, `"matches":[{"kind":"pod","attribute":"k8s.pod.uid","value":"0b1c"}],"panels":[],"missing":["k8s.node.name","host.name"]`) {
		t.Errorf("uid only: %s", got)
	}
	if code := postJSON(t, srv.URL+"/api/infrastructure", `{"resource":{"service.name":"x"},"time":"2026-01-01T10:00:30Z"}`, &got); code != http.StatusOK {
		t.Fatalf("status %d: %v", code, got)
	}
	if got != `{"start":"2026-01-01T09:30:30Z","end":"2026-01-01T10:30:30Z","matches":[],"panels":[],"missing":["k8s.pod.name","k8s.node.name","host.name"]}` {
		t.Errorf("no match: %s", got)
	}
}

// TestAnalysisBadInput: malformed requests are 400s naming the field.
func TestAnalysisBadInput(t *testing.T) {
	srv := newAnalysisServer(t, AnalysisLimits{})
	cases := []struct{ path, body, want string }{
		{"patterns", `{"source":"metrics"}`, `unknown source "metrics"`},
		{"patterns", `{"source":"logs","limit":1000}`, "limit 1000 is out of range"},
		{"patterns", `{"source":"logs","start":"yesterday"}`, `invalid start "yesterday"`},
		{"patterns", `{"source":"logs","query":"a:("}`, "invalid query"},
		{"patterns", `{"source":"logs","query":"SeverityNumber:>5ms"}`, `field "SeverityNumber" is not a duration`},
		{"patterns", `{"source":"logs","bogus":1}`, "unknown field"},
		{"deltas", `{"source":"traces"}`, "selection is required"},
		{"deltas", `{"source":"traces","selection":{}}`, "selection is empty"},
		{"deltas", `{"source":"traces","selection":{"durationMinMs":-1}}`, "selection.durationMinMs -1 is out of range"},
		{"deltas", `{"source":"traces","selection":{"durationMinMs":5,"durationMaxMs":1}}`, "selection.durationMinMs is greater than selection.durationMaxMs"},
		{"deltas", `{"source":"logs","selection":{"durationMinMs":5}}`, "need source \"traces\""},
		{"deltas", `{"source":"traces","selection":{"start":"noon"}}`, `invalid selection.start "noon"`},
		{"deltas", `{"source":"traces","selection":{"start":"2026-01-01T10:05:00Z","end":"2026-01-01T10:01:00Z"}}`, "selection.start is not before selection.end"},
		{"facets", `{"source":"logs","fields":["NoSuchMap['x']"]}`, `invalid field "NoSuchMap['x']" in fields`},
		{"facets", `{"source":"logs","fields":[""]}`, `invalid field "" in fields`},
		{"facets", `{"source":"logs","limit":-1}`, "limit -1 is out of range"},
		{"facets", `{"source":"logs","fields":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t","u"]}`, "fields has 21 entries: at most 20"},
		{"infrastructure", `{"resource":{}}`, "time is required"},
		{"infrastructure", `{"resource":{},"time":"now"}`, `invalid time "now"`},
		{"infrastructure", `{"resource":{},"time":"2026-01-01T10:00:00Z","window":"2h"}`, `invalid window "2h": use "1h" or "1d"`},
	}
	for _, c := range cases {
		resp, err := http.Post(srv.URL+"/api/"+c.path, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		var e struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(e.Error, c.want) {
			t.Errorf("%s %s: %d %q, want 400 containing %q", c.path, c.body, resp.StatusCode, e.Error, c.want)
		}
	}
}

// TestPatternSamplesAreTheirOwn: a pattern of wildcards only (LIKE '%')
// lists its own rows as samples, not the other patterns' rows it matches.
func TestPatternSamplesAreTheirOwn(t *testing.T) {
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	ld := plog.NewLogs()
	for i, body := range []string{"1001", "1002", "charged card"} {
		r := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(analysisT0.Add(time.Duration(i) * time.Minute)))
		r.Body().SetStr(body)
	}
	if err := st.InsertLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: st, Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	var got patternsAnswer
	if code := postJSON(t, srv.URL+"/api/patterns", `{"source":"logs",`+analysisRange+`}`, &got); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	want := `<*> | 2/0 |  | ["1002" "1001"] | 0s:1 60s:1 | series 120 sum 2
charged card | 1/0 |  | ["charged card"] | 120s:1 | series 120 sum 1
rows 3 sampled false`
	if s := got.summary(); s != want {
		t.Errorf("got\n%s\nwant\n%s", s, want)
	}
}
