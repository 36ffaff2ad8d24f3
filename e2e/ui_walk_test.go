package e2e

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/demo"
)

// TestUIDemoWalk runs seed 001's walk in the browser (web/e2e/demo_walk.mjs)
// on the seeded demo (demoConfig: fixed seed and now, live off), in the
// guide's order: the error spike in the histogram → Event Patterns →
// "Failed to place order" → its trace, the payment error propagating up →
// Infrastructure of the payment pod → traces of ServiceName:payment →
// Event Deltas of the spans over 200 ms, card_type=visa on top → Chart
// Explorer max Duration by card type → the visa_validation_cache.size
// gauge → the slow payment spans again by TraceQL, and a TraceQL syntax
// error pointed at. Each step asserts what the user sees with the numbers of
// demo.Expected, and saves a 1280×800 screenshot (docs/screenshots/walk-*.png
// under OVERLOOK_SCREENSHOTS=1). Prerequisites as TestUIWalk.
func TestUIDemoWalk(t *testing.T) {
	chromium := browserPrereqs(t)
	// A whole hour: the screenshots' time axes read round times.
	now := time.Now().UTC().Truncate(time.Hour)
	cfg, extra := demoConfig(now)
	want, from, to := demo.Expected(cfg)
	s := startDemo(t, extra)

	pay := want.SpansByService["payment"]
	bg := pay - want.SlowCharges
	fullStart := from.Add(cfg.Incident.Fill)
	restart := fullStart.Add(cfg.Incident.Full)
	expect := map[string]any{
		// The range every page shows: the backfill and a minute either side.
		"range":           from.Add(-time.Minute).Format(time.RFC3339) + "~" + to.Add(time.Minute).Format(time.RFC3339),
		"fullStartMs":     fullStart.UnixMilli(),
		"restartMs":       restart.UnixMilli(),
		"logs":            want.Logs,
		"errorLogs":       want.ErrorLogs,
		"orderFailedLogs": want.OrderFailedLogs,
		"orderFailedBody": demo.MsgOrderFailed,
		"cacheFull":       demo.MsgCacheFull,
		"paymentSpans":    pay,
		"failedCharges":   want.FailedVisaCharges,
		"slowCharges":     want.SlowCharges,
		"background":      bg,
		// The server rounds shares to 4 decimals.
		"visaBackground": math.Round(float64(want.VisaCharges-want.SlowVisaCharges)/float64(bg)*1e4) / 1e4,
		"cacheMetric":    demo.CacheMetric,
		"maxCacheSize":   want.MaxCacheSize,
	}
	js, err := json.Marshal(expect)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "e2e/demo_walk.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "OVERLOOK_URL=http://"+s.api, "SCREENSHOTS="+screenshotDir(t),
		"CHROMIUM="+chromium, "EXPECT="+string(js))
	out, err := cmd.CombinedOutput()
	t.Logf("walk output:\n%s", out)
	if err != nil {
		t.Fatalf("browser walk of the demo failed: %v", err)
	}
}
