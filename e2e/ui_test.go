package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// TestUIWalk starts the real binary, ingests a small OTel-demo-like data
// set and runs the browser walk (web/e2e/walk.mjs, headless Debian
// chromium driven by playwright-core): seed 001, the Metrics Explorer and
// its PromQL tab on seed 000's Temporal metric, live tail, heatmap,
// dashboard filter, tile drag and resize, inline server errors; it logs
// first-paint timings without asserting on them. It needs the UI built and
// web/node_modules; without them it skips, unless OVERLOOK_UI_TEST=1 (set
// by `make test`) makes that a failure.
func TestUIWalk(t *testing.T) {
	chromium := browserPrereqs(t)
	s := newServer(t, "")
	s.start()
	ingestDemo(t, s, time.Now())

	// Screenshots are always taken (a page that cannot render fails); they
	// replace docs/screenshots only when OVERLOOK_UPDATE_SCREENSHOTS=1.
	shots := screenshotDir(t)
	cmd := exec.Command("node", "e2e/walk.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "OVERLOOK_URL=http://"+s.api, "OVERLOOK_OTLP=http://"+s.http,
		"SCREENSHOTS="+shots, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("walk output:\n%s", out)
	if err != nil {
		t.Fatalf("browser walk failed: %v", err)
	}
}

// screenshotDir is where a browser walk saves its screenshots: a temporary
// directory, or docs/screenshots when OVERLOOK_UPDATE_SCREENSHOTS=1 (or
// OVERLOOK_SCREENSHOTS=1), so CI never rewrites the committed ones.
func screenshotDir(t *testing.T) string {
	if os.Getenv("OVERLOOK_UPDATE_SCREENSHOTS") == "1" || os.Getenv("OVERLOOK_SCREENSHOTS") == "1" {
		dir, err := filepath.Abs("../docs/screenshots")
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// browserPrereqs returns chromium's path, or skips the test when the UI is
// not built, web/node_modules is missing or chromium is not installed —
// failing it instead under OVERLOOK_UI_TEST=1 (set by `make test`).
func browserPrereqs(t *testing.T) string {
	t.Helper()
	required := os.Getenv("OVERLOOK_UI_TEST") == "1"
	missing := func(what string) {
		if required {
			t.Fatalf("browser test cannot run: %s", what)
		}
		t.Skipf("browser test skipped: %s (run `make test`)", what)
	}
	if _, err := os.Stat("../internal/ui/dist/index.html"); err != nil {
		missing("the UI is not built (internal/ui/dist/index.html)")
	}
	if _, err := os.Stat("../web/node_modules/playwright-core"); err != nil {
		missing("web/node_modules is not installed")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		missing("chromium is not installed (apt-get install -y chromium)")
	}
	return chromium
}

// demoTraceCount traces of frontend → checkout → payment; every
// errorEvery-th fails in payment with the Visa cache error.
const (
	demoTraceCount = 60
	errorEvery     = 6
)

func ingestDemo(t *testing.T, s *server, now time.Time) {
	t.Helper()
	td := ptrace.NewTraces()
	ld := plog.NewLogs()
	spans := map[string]ptrace.SpanSlice{}
	logs := map[string]plog.LogRecordSlice{}
	for _, svc := range []string{"frontend", "checkout", "payment"} {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", svc)
		rs.Resource().Attributes().PutStr("k8s.pod.name", svc+"-7d9f")
		spans[svc] = rs.ScopeSpans().AppendEmpty().Spans()
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", svc)
		logs[svc] = rl.ScopeLogs().AppendEmpty().LogRecords()
	}
	ts := func(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }
	for i := 0; i < demoTraceCount; i++ {
		start := now.Add(-50*time.Minute + time.Duration(i)*45*time.Second)
		var tid pcommon.TraceID
		copy(tid[:], fmt.Sprintf("trace%011d", i))
		fail := i%errorEvery == errorEvery-1
		card := "mastercard"
		payDur := 40*time.Millisecond + time.Duration(i%5)*time.Millisecond
		if i%2 == 0 {
			card = "visa"
			payDur = 150*time.Millisecond + time.Duration(i)*8*time.Millisecond
		}
		if fail {
			card, payDur = "visa", 2*time.Millisecond
		}
		sid := func(n int) pcommon.SpanID { var b pcommon.SpanID; copy(b[:], fmt.Sprintf("s%02d%05d", n, i)); return b }
		add := func(svc, name string, n, parent int, off, dur time.Duration, kind ptrace.SpanKind) ptrace.Span {
			sp := spans[svc].AppendEmpty()
			sp.SetTraceID(tid)
			sp.SetSpanID(sid(n))
			if parent >= 0 {
				sp.SetParentSpanID(sid(parent))
			}
			sp.SetName(name)
			sp.SetKind(kind)
			sp.SetStartTimestamp(ts(start.Add(off)))
			sp.SetEndTimestamp(ts(start.Add(off + dur)))
			return sp
		}
		fe := add("frontend", "POST /api/checkout", 1, -1, 0, payDur+30*time.Millisecond, ptrace.SpanKindServer)
		fe.Attributes().PutStr("http.route", "/api/checkout")
		co := add("checkout", "oteldemo.CheckoutService/PlaceOrder", 2, 1, 5*time.Millisecond, payDur+20*time.Millisecond, ptrace.SpanKindServer)
		add("checkout", "convert currency", 3, 2, 6*time.Millisecond, 3*time.Millisecond, ptrace.SpanKindInternal)
		pay := add("payment", "oteldemo.PaymentService/Charge", 4, 2, 12*time.Millisecond, payDur, ptrace.SpanKindServer)
		pay.Attributes().PutStr("app.payment.card_type", card)
		pay.Attributes().PutStr("app.payment.amount", "42.00")
		if fail {
			msg := "Visa cache full: cannot add new item."
			pay.Status().SetCode(ptrace.StatusCodeError)
			pay.Status().SetMessage(msg)
			ev := pay.Events().AppendEmpty()
			ev.SetName("exception")
			ev.SetTimestamp(ts(start.Add(13 * time.Millisecond)))
			ev.Attributes().PutStr("exception.message", msg)
			co.Status().SetCode(ptrace.StatusCodeError)
			fe.Status().SetCode(ptrace.StatusCodeError)
			addLog(logs["payment"], tid, sid(4), start.Add(13*time.Millisecond), plog.SeverityNumberError, "Error: "+msg)
			addLog(logs["checkout"], tid, sid(2), start.Add(20*time.Millisecond), plog.SeverityNumberError,
				"failed to charge card: could not charge the card: rpc error: code = Unknown desc = "+msg)
			addLog(logs["frontend"], tid, sid(1), start.Add(25*time.Millisecond), plog.SeverityNumberError, "Failed to place order")
		} else {
			addLog(logs["payment"], tid, sid(4), start.Add(14*time.Millisecond), plog.SeverityNumberInfo, "Transaction complete: "+card)
			addLog(logs["checkout"], tid, sid(2), start.Add(22*time.Millisecond), plog.SeverityNumberInfo, "order placed")
		}
	}
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "payment")
	g := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	g.SetName("visa_validation_cache.size")
	gauge := g.SetEmptyGauge()
	tm := md.ResourceMetrics().AppendEmpty()
	tm.Resource().Attributes().PutStr("service.name", "temporal")
	tg := tm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	tg.SetName("temporal_cloud_v1_workflow_success_count")
	tg.SetUnit("{workflow}")
	tg.SetDescription("Successful workflows per second")
	tgauge := tg.SetEmptyGauge()
	for m := 0; m <= 50; m++ {
		p := gauge.DataPoints().AppendEmpty()
		p.SetTimestamp(ts(now.Add(-50*time.Minute + time.Duration(m)*time.Minute)))
		p.SetDoubleValue(float64(min(m*2000, 100000)))
		q := tgauge.DataPoints().AppendEmpty()
		q.SetTimestamp(p.Timestamp())
		q.SetDoubleValue(0.05 + float64(m%7)/100)
		q.Attributes().PutStr("temporal_namespace", "prod.a1b2")
		d := tgauge.DataPoints().AppendEmpty()
		d.SetTimestamp(p.Timestamp())
		d.SetDoubleValue(0.5 + float64(m%5)/10)
		d.Attributes().PutStr("temporal_namespace", "dev.c3d4")
	}
	tb, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	lb, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	mb, _ := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	for path, body := range map[string][]byte{"/v1/traces": tb, "/v1/logs": lb, "/v1/metrics": mb} {
		resp, err := http.Post("http://"+s.http+path, "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s", path, resp.Status)
		}
	}
}

func addLog(ls plog.LogRecordSlice, tid pcommon.TraceID, sid pcommon.SpanID, at time.Time, sev plog.SeverityNumber, body string) {
	r := ls.AppendEmpty()
	r.SetTimestamp(pcommon.NewTimestampFromTime(at))
	r.SetTraceID(tid)
	r.SetSpanID(sid)
	r.SetSeverityNumber(sev)
	if sev >= plog.SeverityNumberError {
		r.SetSeverityText("ERROR")
	} else {
		r.SetSeverityText("INFO")
	}
	r.Body().SetStr(body)
}
