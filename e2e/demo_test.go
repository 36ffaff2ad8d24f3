package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/demo"
)

// demoConfig is a small, fixed demo: one hour of history at one request a
// second, the cache filling in 30 minutes, full for 15, then a restart;
// no live stream, so the store holds exactly the backfill.
func demoConfig(now time.Time) (demo.Config, string) {
	cfg := demo.DefaultConfig()
	cfg.Seed = 11
	cfg.Now = now
	cfg.Backfill = time.Hour
	cfg.BackfillRate = 1
	cfg.Incident = demo.IncidentConfig{Fill: 30 * time.Minute, Full: 15 * time.Minute}
	live := false
	cfg.Live = &live
	yaml := fmt.Sprintf(`extensions:
  overlook:
    demo:
      seed: %d
      now: %s
      backfill: %s
      backfill_rate: %g
      live: false
      incident:
        fill: %s
        full: %s
`, cfg.Seed, cfg.Now.Format(time.RFC3339), cfg.Backfill, cfg.BackfillRate, cfg.Incident.Fill, cfg.Incident.Full)
	return cfg, yaml
}

// startDemo starts the binary with --demo and waits for the backfill to
// be acknowledged (the generator logs it once every export is stored).
func startDemo(t *testing.T, extra string) *server {
	t.Helper()
	s := newServer(t, extra)
	s.extraArgs = append(s.extraArgs, "--demo")
	s.start()
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(s.out.String(), "demo: backfill done") {
		if strings.Contains(s.out.String(), "demo generator stopped") {
			t.Fatalf("the demo generator failed:\n%s", s.out.String())
		}
		if time.Now().After(deadline) {
			t.Fatal("the demo backfill did not finish within 3 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s
}

// The seeded demo's backfill arrives whole through the OTLP receiver: the
// API finds exactly the counts demo.Expected computes, the incident's
// errors and logs, a failed checkout trace whose payment error propagates
// to the browser, and the cache gauge reaching 100,000 before a restart.
func TestDemoBackfillExactCounts(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	cfg, extra := demoConfig(now)
	want, from, to := demo.Expected(cfg)
	if want.FailedVisaCharges == 0 || want.FailedOrderTrace == "" || want.SlowCharges == 0 || want.SlowVisaCharges != want.SlowCharges {
		t.Fatalf("BUG: the test's demo config lacks failed visa charges, or slow charges that are all visa: %+v", want)
	}
	s := startDemo(t, extra)
	count := func(source, query string) int {
		t.Helper()
		var res searchResult
		code := s.postJSON("/api/search", map[string]any{
			"source": source, "query": query, "limit": 1,
			"start": from.Add(-time.Minute).Format(time.RFC3339), "end": to.Add(time.Minute).Format(time.RFC3339),
		}, &res)
		if code != http.StatusOK {
			t.Fatalf("search %s %q: %d %s", source, query, code, res.Error)
		}
		return int(res.Count)
	}
	for _, c := range []struct {
		source, query string
		want          int
	}{
		{"traces", "", want.Spans},
		{"logs", "", want.Logs},
		{"traces", "StatusCode:Error", want.ErrorSpans},
		{"traces", "ServiceName:frontend-web", want.RUMSpans},
		{"traces", "ServiceName:payment AND SpanAttributes.app.payment.card_type:visa", want.VisaCharges},
		{"traces", "ServiceName:payment AND StatusCode:Error", want.FailedVisaCharges},
		{"logs", `ServiceName:payment AND "Visa cache full"`, want.CacheFullLogs},
		{"logs", `ServiceName:frontend AND "Failed to place order"`, want.OrderFailedLogs},
		{"logs", "SeverityText:ERROR", want.ErrorLogs},
		{"traces", "ServiceName:checkout", want.SpansByService["checkout"]},
		{"traces", "ServiceName:payment AND Duration:>200000000", want.SlowCharges},
		{"traces", "ServiceName:payment AND Duration:>200000000 AND SpanAttributes.app.payment.card_type:visa", want.SlowVisaCharges},
	} {
		if got := count(c.source, c.query); got != c.want {
			t.Errorf("%s %q: %d rows, want %d", c.source, c.query, got, c.want)
		}
	}

	t.Run("failed checkout trace", func(t *testing.T) {
		var tr struct {
			Spans []map[string]any `json:"spans"`
		}
		if code := s.getJSON("/api/traces/"+want.FailedOrderTrace, &tr); code != http.StatusOK {
			t.Fatalf("GET trace: %d", code)
		}
		byID := map[string]map[string]any{}
		var pay map[string]any
		for _, sp := range tr.Spans {
			byID[sp["SpanId"].(string)] = sp
			if sp["ServiceName"] == "payment" && sp["StatusCode"] == "Error" {
				pay = sp
			}
		}
		if pay == nil || pay["StatusMessage"] != demo.MsgCacheFull {
			t.Fatalf("no payment span failing with %q in trace %s", demo.MsgCacheFull, want.FailedOrderTrace)
		}
		var chain []string
		for sp := pay; sp != nil; sp = byID[fmt.Sprint(sp["ParentSpanId"])] {
			if sp["StatusCode"] != "Error" {
				t.Fatalf("%s span %s is %v above the failed charge", sp["ServiceName"], sp["SpanName"], sp["StatusCode"])
			}
			chain = append(chain, sp["ServiceName"].(string))
		}
		if got := strings.Join(chain, ">"); got != "payment>checkout>checkout>frontend>frontend>frontend-proxy>frontend-proxy>frontend-web" {
			t.Fatalf("error chain %s", got)
		}
		var logs struct {
			Rows []map[string]any `json:"rows"`
		}
		if code := s.getJSON("/api/traces/"+want.FailedOrderTrace+"/logs", &logs); code != http.StatusOK {
			t.Fatalf("GET trace logs: %d", code)
		}
		found := false
		for _, l := range logs.Rows {
			if l["ServiceName"] == "frontend" && strings.HasPrefix(fmt.Sprint(l["Body"]), "Failed to place order") {
				sp := byID[fmt.Sprint(l["SpanId"])]
				found = sp != nil && sp["ServiceName"] == "frontend" && sp["StatusMessage"] == demo.MsgOrderFailed
			}
		}
		if !found {
			t.Fatalf("the trace's logs have no frontend \"Failed to place order\" record on the failed frontend span: %v", logs.Rows)
		}
	})

	t.Run("cache gauge", func(t *testing.T) {
		at := strconv.FormatInt(to.Unix(), 10)
		q := func(expr string) map[string]float64 {
			var res struct {
				Data struct {
					Result []struct {
						Metric map[string]string `json:"metric"`
						Value  [2]any            `json:"value"`
					} `json:"result"`
				} `json:"data"`
			}
			if code := s.getJSON("/prometheus/api/v1/query?"+url.Values{"query": {expr}, "time": {at}}.Encode(), &res); code != http.StatusOK {
				t.Fatalf("%s: %d", expr, code)
			}
			out := map[string]float64{}
			for _, r := range res.Data.Result {
				v, _ := strconv.ParseFloat(fmt.Sprint(r.Value[1]), 64)
				out[r.Metric["instance"]] = v
			}
			return out
		}
		maxes := q("max_over_time(visa_validation_cache_size[2h])")
		if len(maxes) != 2 {
			t.Fatalf("cache gauge of %d payment pods, want 2 (one restart): %v", len(maxes), maxes)
		}
		top, n := 0.0, 0.0
		for _, v := range maxes {
			top = max(top, v)
		}
		for _, v := range q("count_over_time(visa_validation_cache_size[2h])") {
			n += v
		}
		if top != 100000 || int(n) != want.Points[demo.CacheMetric] {
			t.Fatalf("cache gauge max %v over %v points, want 100000 over %d", top, n, want.Points[demo.CacheMetric])
		}
	})
}

// A wrong demo setting is refused before anything starts, naming the key.
func TestDemoConfigErrors(t *testing.T) {
	for _, set := range []string{"backfill=-1h", "rate=5000", "now=noon", "metrics_interval=500ms"} {
		out, err := exec.Command(binary, "config", "validate", "--demo", "--set", "extensions::overlook::demo::"+set).CombinedOutput()
		key, _, _ := strings.Cut(set, "=")
		if err == nil || !strings.Contains(string(out), key) {
			t.Errorf("config validate --demo with %s: err %v, output %s; want a failure naming %s", set, err, out, key)
		}
	}
}
