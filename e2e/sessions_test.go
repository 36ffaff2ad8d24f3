package e2e

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// shopPage is the test's web page, instrumented with HyperDX's browser SDK
// (@hyperdx/browser, its published UMD bundle served from web/node_modules)
// pointed at overlook's OTLP/HTTP receiver on another origin (so the SDK's
// requests need CORS). A ticking clock keeps the DOM changing, like a live
// page, for the bytes-per-minute measurement.
const shopPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>Acme shop</title></head>
<body>
<h1 id="title">Acme checkout</h1>
<label>Email <input id="email" type="email" autocomplete="off"></label>
<button id="pay">Pay now</button>
<p id="status">Ready.</p>
<p>Time on page: <span id="clock">0</span> s</p>
<script src="/hyperdx.js"></script>
<script>
  const HDX = window.HyperDX.default || window.HyperDX;
  HDX.init({ url: %q, apiKey: 'test-key', service: 'shop-web', consoleCapture: true,
    advancedNetworkCapture: true, tracePropagationTargets: [/127\.0\.0\.1/] });
  window.hdxReady = true;
  let n = 0;
  setInterval(() => { document.getElementById('clock').textContent = String(++n / 10); }, 100);
  document.getElementById('email').addEventListener('change', (e) => {
    HDX.setGlobalAttributes({ userEmail: e.target.value, userName: 'Braulio Roberts' });
  });
  document.getElementById('pay').addEventListener('click', async () => {
    const r = await fetch('/api/checkout', { method: 'POST', body: '{}' });
    if (!r.ok) {
      document.getElementById('status').textContent = 'Payment failed (' + r.status + ')';
      console.error('checkout failed with ' + r.status);
    }
  });
</script>
</body></html>`

var traceparentRE = regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$`)

// shopBackend serves the page, the SDK bundle, and /api/checkout, which
// fails with 500 and stores its server span (child of the browser's fetch
// span, from the traceparent header) in overlook with the visa-cache error.
func shopBackend(t *testing.T, addr, otlpHTTP string) *http.Server {
	t.Helper()
	sdk, err := os.ReadFile("../web/node_modules/@hyperdx/browser/build/index.js")
	if err != nil {
		t.Fatalf("the @hyperdx/browser bundle (web/node_modules): %v", err)
	}
	page := fmt.Sprintf(shopPage, "http://"+otlpHTTP)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	mux.HandleFunc("GET /hyperdx.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		_, _ = w.Write(sdk)
	})
	mux.HandleFunc("POST /api/checkout", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m := traceparentRE.FindStringSubmatch(r.Header.Get("traceparent"))
		if m == nil {
			t.Errorf("checkout: no traceparent from the browser SDK (headers %v)", r.Header)
			http.Error(w, "no traceparent", http.StatusBadRequest)
			return
		}
		var tid pcommon.TraceID
		var parent pcommon.SpanID
		_, _ = hex.Decode(tid[:], []byte(m[1]))
		_, _ = hex.Decode(parent[:], []byte(m[2]))
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "checkout")
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(tid)
		sp.SetSpanID(pcommon.SpanID{0xc0, 0xff, 0xee, 1, 2, 3, 4, 5})
		sp.SetParentSpanID(parent)
		sp.SetName("POST /api/checkout")
		sp.SetKind(ptrace.SpanKindServer)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(time.Now().Add(2 * time.Millisecond)))
		sp.Attributes().PutInt("http.status_code", 500)
		sp.Status().SetCode(ptrace.StatusCodeError)
		sp.Status().SetMessage("failed to charge card: could not charge the card: rpc error: code = Unknown desc = Visa cache full: cannot add new item.")
		body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		if err == nil {
			var resp *http.Response
			resp, err = http.Post("http://"+otlpHTTP+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
		}
		if err != nil {
			t.Errorf("checkout: export its span: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":"payment failed"}`))
	})
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("shop backend: %v", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// TestSessionReplay is issue 16's walk: a real page instrumented with
// @hyperdx/browser in headless chromium; the user types an email and pays,
// the checkout answers 500. Then, in overlook's UI (web/e2e/sessions.mjs):
// the session is listed under its email, the replay renders the recorded
// page (DOM inside the player's iframe, the email input masked), ▶ on the
// failed request seeks the replay there, and the request opens its trace
// with the backend's visa-cache error. It also measures the bytes stored
// per minute of recording and the replay's time to first frame.
func TestSessionReplay(t *testing.T) {
	chromium := browserPrereqs(t)
	shop := freePort(t)
	s := newServer(t, fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        cors:
          allowed_origins: ["http://%s"]
          allowed_headers: ["*"]
`, shop))
	s.start()
	shopBackend(t, shop, s.http)

	// CORS preflight of the SDK's log export: answered for the configured
	// origin (with the SDK's headers), not for another.
	for _, tc := range []struct {
		origin string
		allow  bool
	}{{"http://" + shop, true}, {"http://evil.example", false}} {
		req, _ := http.NewRequest(http.MethodOptions, "http://"+s.http+"/v1/logs", nil)
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-encoding,content-type")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("Access-Control-Allow-Origin")
		if tc.allow && (got != tc.origin || !strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authorization")) {
			t.Errorf("preflight from %s: %d, Allow-Origin %q, Allow-Headers %q", tc.origin, resp.StatusCode, got, resp.Header.Get("Access-Control-Allow-Headers"))
		}
		if !tc.allow && got != "" {
			t.Errorf("preflight from the unlisted origin %s allowed: %q", tc.origin, got)
		}
	}

	shots := screenshotDir(t)
	cmd := exec.Command("node", "e2e/sessions.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "OVERLOOK_URL=http://"+s.api, "SHOP_URL=http://"+shop+"/",
		"SCREENSHOTS="+shots, "CHROMIUM="+chromium, "DWELL_MS="+os.Getenv("OVERLOOK_SESSION_DWELL_MS"))
	out, err := cmd.CombinedOutput()
	t.Logf("sessions walk output:\n%s", out)
	if err != nil {
		t.Fatalf("sessions walk failed: %v", err)
	}
	m := regexp.MustCompile(`recorded (\d+) ms`).FindSubmatch(out)
	if m == nil {
		t.Fatal("the walk did not report the recording's length")
	}
	var recordedMs float64
	fmt.Sscan(string(m[1]), &recordedMs)

	// Bytes stored: stop the server (its heads become parts), then measure
	// the hyperdx_sessions parts.
	s.stop()
	var stored int64
	dir := filepath.Join(s.dataDir, "parts", "hyperdx_sessions")
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			if fi, err := d.Info(); err == nil {
				stored += fi.Size()
			}
		}
		return nil
	})
	if stored == 0 {
		t.Fatalf("no parts in %s: the recording was not stored in hyperdx_sessions", dir)
	}
	t.Logf("MEASURE session bytes stored: %d bytes for %.1f s of recording = %.0f bytes/minute",
		stored, recordedMs/1000, float64(stored)/(recordedMs/60000))
}
