package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// gaugeTarget is a scrape target exposing queue_depth, whose value the
// test sets.
type gaugeTarget struct {
	srv   *httptest.Server
	value atomic.Value // float64
}

func newGaugeTarget(t *testing.T, v float64) *gaugeTarget {
	g := &gaugeTarget{}
	g.value.Store(v)
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# TYPE queue_depth gauge\nqueue_depth %g\n", g.value.Load().(float64))
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gaugeTarget) set(v float64) { g.value.Store(v) }
func (g *gaugeTarget) addr() string  { return strings.TrimPrefix(g.srv.URL, "http://") }

// amAlert is one alert of an Alertmanager v2 POST /api/v2/alerts body.
type amAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	received     time.Time
}

func (a amAlert) resolved() bool { return !a.EndsAt.After(a.received) }

// fakeAlertmanager records the alerts posted to <prefix>/api/v2/alerts
// with the right bearer token; anything else is answered 404 / 401 and
// counted as a bad request.
type fakeAlertmanager struct {
	srv    *httptest.Server
	mu     sync.Mutex
	alerts []amAlert
	bad    []string
}

func newFakeAlertmanager(t *testing.T, prefix, token string) *fakeAlertmanager {
	am := &fakeAlertmanager{}
	am.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		am.mu.Lock()
		defer am.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != prefix+"/api/v2/alerts" {
			am.bad = append(am.bad, r.Method+" "+r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			am.bad = append(am.bad, "Authorization: "+r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var batch []amAlert
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &batch); err != nil {
			am.bad = append(am.bad, "body: "+err.Error())
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, a := range batch {
			a.received = now
			am.alerts = append(am.alerts, a)
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(am.srv.Close)
	return am
}

// of returns the alerts received for alertname: firing and resolved.
func (am *fakeAlertmanager) of(name string) (firing, resolved []amAlert) {
	am.mu.Lock()
	defer am.mu.Unlock()
	for _, a := range am.alerts {
		if a.Labels["alertname"] != name {
			continue
		}
		if a.resolved() {
			resolved = append(resolved, a)
		} else {
			firing = append(firing, a)
		}
	}
	return firing, resolved
}

func (am *fakeAlertmanager) badRequests() []string {
	am.mu.Lock()
	defer am.mu.Unlock()
	return append([]string(nil), am.bad...)
}

// alertingConfig is the server configuration of these tests: target
// scraped every second into the store, rules from ruleDir evaluated every
// second, alerts to the fake Alertmanager.
func alertingConfig(ruleDir, target, amURL string) string {
	return fmt.Sprintf(`extensions:
  overlook:
    alerting:
      rule_files: [%s/*.yml]
      evaluation_interval: 1s
      external_labels: {cluster: prod}
      external_url: http://overlook.example:8080
      for_grace_period: 1s
      alertmanagers:
        - url: %s
          timeout: 5s
          bearer_token: am-token
receivers:
  prometheus/app:
    config:
      scrape_configs:
        - job_name: app
          scrape_interval: 1s
          static_configs:
            - targets: [%s]
service:
  pipelines:
    metrics/app:
      receivers: [prometheus/app]
      exporters: [overlook]
`, ruleDir, amURL, target)
}

const depthRules = `groups:
  - name: queue
    rules:
      - alert: QueueDepthHigh
        expr: queue_depth > 10
        for: 5s
        labels:
          severity: page
        annotations:
          summary: "queue depth is {{ $value }}"
`

// promAlert is an alert of /prometheus/api/v1/alerts.
type promAlert struct {
	Labels   map[string]string `json:"labels"`
	State    string            `json:"state"`
	ActiveAt time.Time         `json:"activeAt"`
}

func (s *server) promAlerts() []promAlert {
	s.t.Helper()
	var res struct {
		Status string `json:"status"`
		Data   struct {
			Alerts []promAlert `json:"alerts"`
		} `json:"data"`
	}
	if code := s.getJSON("/prometheus/api/v1/alerts", &res); code != http.StatusOK || res.Status != "success" {
		s.t.Fatalf("/prometheus/api/v1/alerts: %d %s", code, res.Status)
	}
	return res.Data.Alerts
}

// ruleNames lists the rules of /prometheus/api/v1/rules and its warnings.
func (s *server) ruleNames() ([]string, []string) {
	s.t.Helper()
	names, warns, err := s.tryRuleNames()
	if err != nil {
		s.t.Fatal(err)
	}
	return names, warns
}

// tryRuleNames is ruleNames returning the error: a SIGHUP restarts the
// API server, so a request may meet the moment it is down.
func (s *server) tryRuleNames() ([]string, []string, error) {
	var res struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name string `json:"name"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
		Warnings []string `json:"warnings"`
	}
	resp, err := http.Get("http://" + s.api + "/prometheus/api/v1/rules")
	if err != nil {
		return nil, nil, fmt.Errorf("GET /prometheus/api/v1/rules: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("/prometheus/api/v1/rules: %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return nil, nil, fmt.Errorf("decode /prometheus/api/v1/rules: %w", err)
	}
	var names []string
	for _, g := range res.Data.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Name)
		}
	}
	return names, res.Warnings, nil
}

// TestAlertingRulesAlertmanager: a rule over a scraped metric goes pending
// when the value crosses the threshold, fires `for` (5s) later and
// resolves when the value drops; the Alertmanager receives exactly one
// firing and one resolved alert with the external labels, startsAt =
// activeAt + for, and the generator URL. Reload over HTTP (and SIGHUP)
// picks up a new rule; a broken file is refused and the rules stay.
func TestAlertingRulesAlertmanager(t *testing.T) {
	target := newGaugeTarget(t, 1)
	am := newFakeAlertmanager(t, "/am", "am-token")
	ruleDir := t.TempDir()
	writeFile(t, filepath.Join(ruleDir, "queue.yml"), depthRules)
	s := newServer(t, alertingConfig(ruleDir, target.addr(), am.srv.URL+"/am"))
	s.start()

	// The metric is scraped, the rule evaluated: no alert yet.
	waitFor(t, 20*time.Second, "queue_depth in the store", func() bool {
		return len(s.promQuery("queue_depth").Data.Result) == 1
	})
	if as := s.promAlerts(); len(as) != 0 {
		t.Fatalf("alerts before the threshold is crossed: %+v", as)
	}

	crossed := time.Now()
	target.set(20)
	var pending promAlert
	waitFor(t, 10*time.Second, "the alert to be pending", func() bool {
		as := s.promAlerts()
		if len(as) == 1 {
			pending = as[0]
		}
		return len(as) == 1
	})
	// Seen at most a scrape and an evaluation after the change (1s each).
	if pending.State != "pending" || pending.ActiveAt.Before(crossed.Add(-time.Second)) || pending.ActiveAt.After(crossed.Add(3*time.Second)) {
		t.Fatalf("pending alert %+v; the value changed at %s", pending, crossed)
	}
	var firing []amAlert
	waitFor(t, 15*time.Second, "the Alertmanager to receive the firing alert", func() bool {
		firing, _ = am.of("QueueDepthHigh")
		return len(firing) > 0
	})
	f := firing[0]
	wantLabels := map[string]string{"alertname": "QueueDepthHigh", "severity": "page", "cluster": "prod",
		"job": "app", "instance": target.addr()}
	if fmt.Sprint(f.Labels) != fmt.Sprint(wantLabels) {
		t.Errorf("firing labels %v, want %v", f.Labels, wantLabels)
	}
	// (The Alertmanager API carries milliseconds.)
	if !f.StartsAt.Equal(pending.ActiveAt.Add(5 * time.Second).Truncate(time.Millisecond)) {
		t.Errorf("startsAt %s, want activeAt %s + for 5s", f.StartsAt, pending.ActiveAt)
	}
	// A firing alert is valid for 4 × max(resend delay 1m, interval).
	if got := f.EndsAt.Sub(f.StartsAt); got != 4*time.Minute {
		t.Errorf("endsAt - startsAt = %s, want 4m", got)
	}
	if f.Annotations["summary"] != "queue depth is 20" {
		t.Errorf("annotations %v", f.Annotations)
	}
	if want := "http://overlook.example:8080/graph?g0.expr=" + url.QueryEscape("queue_depth > 10") + "&g0.tab=1"; f.GeneratorURL != want {
		t.Errorf("generatorURL %q, want %q", f.GeneratorURL, want)
	}

	target.set(2)
	var resolved []amAlert
	waitFor(t, 15*time.Second, "the Alertmanager to receive the resolved alert", func() bool {
		firing, resolved = am.of("QueueDepthHigh")
		return len(resolved) > 0
	})
	if r := resolved[0]; !r.StartsAt.Equal(f.StartsAt) || !r.EndsAt.After(f.StartsAt) || r.Labels["cluster"] != "prod" {
		t.Errorf("resolved alert %+v; firing was %+v", r, f)
	}
	time.Sleep(3 * time.Second) // no more notices may follow
	firing, resolved = am.of("QueueDepthHigh")
	if len(firing) != 1 || len(resolved) != 1 {
		t.Errorf("Alertmanager got %d firing and %d resolved alerts, want exactly 1 and 1", len(firing), len(resolved))
	}
	if bad := am.badRequests(); len(bad) > 0 {
		t.Errorf("bad requests to the Alertmanager: %v", bad)
	}
	metrics := s.getText("/metrics")
	for _, want := range []string{
		`prometheus_notifications_sent_total{alertmanager="` + am.srv.URL + `/am/api/v2/alerts"} 2`,
		`prometheus_notifications_errors_total{alertmanager="` + am.srv.URL + `/am/api/v2/alerts"} 0`,
		`prometheus_rule_evaluation_failures_total{rule_group="` + filepath.Join(ruleDir, "queue.yml") + `;queue"} 0`,
		`prometheus_config_last_reload_successful 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics has no %q", want)
		}
	}
	// The ALERTS series is in the store, as Prometheus writes it.
	if r := s.promQuery(`ALERTS{alertname="QueueDepthHigh",alertstate="firing"}[1m]`); len(r.Data.Result) != 1 {
		t.Errorf("ALERTS series: %+v", r.Data.Result)
	}

	// Reload over HTTP picks up a new rule file.
	writeFile(t, filepath.Join(ruleDir, "more.yml"), "groups:\n  - name: more\n    rules:\n      - record: queue:depth:max\n        expr: max(queue_depth)\n")
	if code, body := s.send(http.MethodPost, "/prometheus/-/reload"); code != http.StatusOK {
		t.Fatalf("reload: %d %s", code, body)
	}
	if names, _ := s.ruleNames(); strings.Join(names, ",") != "queue:depth:max,QueueDepthHigh" {
		t.Fatalf("rules after reload: %v", names)
	}
	// A broken file is refused; the rules stay.
	writeFile(t, filepath.Join(ruleDir, "more.yml"), "groups:\n  - name: more\n    rules:\n      - record: queue:depth:max\n        expr: max(queue_depth\n")
	code, body := s.send(http.MethodPut, "/prometheus/-/reload")
	if code != http.StatusBadRequest || !strings.Contains(body, filepath.Join(ruleDir, "more.yml")+`:5:15: group "more", rule 1, "queue:depth:max"`) {
		t.Fatalf("broken reload: %d %s", code, body)
	}
	if names, warns := s.ruleNames(); strings.Join(names, ",") != "queue:depth:max,QueueDepthHigh" || len(warns) != 1 {
		t.Fatalf("rules after a failed reload: %v, warnings %v", names, warns)
	}
	if !strings.Contains(s.getText("/metrics"), "prometheus_config_last_reload_successful 0") {
		t.Errorf("/metrics does not report the failed reload")
	}

	// SIGHUP (a collector reload) with the file still broken keeps the
	// server and the rules; once fixed, SIGHUP loads it.
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	waitFor(t, 30*time.Second, "the server to answer after SIGHUP", func() bool { return s.ready() })
	if names, warns := s.ruleNames(); strings.Join(names, ",") != "queue:depth:max,QueueDepthHigh" || len(warns) != 1 {
		t.Fatalf("rules after SIGHUP with a broken file: %v, warnings %v", names, warns)
	}
	writeFile(t, filepath.Join(ruleDir, "more.yml"), "groups:\n  - name: more\n    rules:\n      - record: queue:depth:min\n        expr: min(queue_depth)\n")
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "SIGHUP to load the fixed file", func() bool {
		names, warns, err := s.tryRuleNames()
		return err == nil && strings.Join(names, ",") == "queue:depth:min,QueueDepthHigh" && len(warns) == 0
	})
}

// TestAlertingRulesRestartKeepsForState: an alert pending for part of its
// `for` (20s) when the server stops keeps that pending time after a
// restart (restored from ALERTS_FOR_STATE in the store, as Prometheus
// does: the outage itself does not count), so it fires well before a
// fresh 20s would have elapsed; the Alertmanager receives it at the first
// evaluation 20s after the restored activeAt.
func TestAlertingRulesRestartKeepsForState(t *testing.T) {
	target := newGaugeTarget(t, 50)
	am := newFakeAlertmanager(t, "", "am-token")
	ruleDir := t.TempDir()
	writeFile(t, filepath.Join(ruleDir, "queue.yml"), strings.Replace(depthRules, "for: 5s", "for: 20s", 1))
	s := newServer(t, alertingConfig(ruleDir, target.addr(), am.srv.URL))
	s.start()
	var before promAlert
	waitFor(t, 20*time.Second, "the alert to be pending", func() bool {
		as := s.promAlerts()
		if len(as) == 1 {
			before = as[0]
		}
		return len(as) == 1
	})
	waitFor(t, 15*time.Second, "8s of pending", func() bool { return time.Since(before.ActiveAt) >= 8*time.Second })
	s.stop()
	stopped := time.Now()
	time.Sleep(2 * time.Second)
	s.start()
	restarted := time.Now()
	// The state is restored after the second evaluation (Prometheus
	// waits for fresh recording-rule output first); until then the alert
	// shows as newly pending.
	var after promAlert
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ALERTS_FOR_STATE: %s", s.getText("/prometheus/api/v1/query?query="+url.QueryEscape("ALERTS_FOR_STATE[2m]")))
		}
	})
	waitFor(t, 10*time.Second, "the restored alert", func() bool {
		as := s.promAlerts()
		if len(as) == 1 {
			after = as[0]
		}
		// Reset, activeAt would be the first evaluation after the
		// start (about the time it is ready); restored, it is 8s of
		// pending (to the last evaluation before the stop) before the
		// restore, which is 1-2 evaluations after the start.
		return len(as) == 1 && restarted.Sub(after.ActiveAt) >= 4*time.Second
	})
	outage := restarted.Sub(stopped)
	if after.State != "pending" {
		t.Fatalf("after the restart: %+v", after)
	}
	if shift := after.ActiveAt.Sub(before.ActiveAt); shift < 0 || shift > outage+5*time.Second {
		t.Errorf("activeAt moved by %s over an outage of %s", shift, outage)
	}
	var firing []amAlert
	waitFor(t, 25*time.Second, "the firing alert", func() bool {
		firing, _ = am.of("QueueDepthHigh")
		return len(firing) > 0
	})
	// The restored activeAt is off the evaluation grid (it is shifted by
	// the outage): the alert fires at the first evaluation ≥ activeAt + 20s.
	if due := after.ActiveAt.Add(20 * time.Second).Truncate(time.Millisecond); firing[0].StartsAt.Before(due) ||
		!firing[0].StartsAt.Before(due.Add(time.Second)) {
		t.Errorf("startsAt %s, want the first evaluation (1s) from restored activeAt %s + 20s", firing[0].StartsAt, after.ActiveAt)
	}
	if d := firing[0].StartsAt.Sub(restarted); d > 16*time.Second {
		t.Errorf("fired %s after the restart: the pending time was lost", d)
	}
}

// TestAlertingRulesBrokenFile: a broken rule file stops `serve` and fails
// `config validate`, naming file, line, group and rule.
func TestAlertingRulesBrokenFile(t *testing.T) {
	ruleDir := t.TempDir()
	path := filepath.Join(ruleDir, "bad.yml")
	writeFile(t, path, "groups:\n  - name: queue\n    rules:\n      - alert: Fine\n        expr: up == 0\n      - alert: Broken\n        expr: sum(rate(x[5m])\n")
	cfg := filepath.Join(t.TempDir(), "alerting.yaml")
	writeFile(t, cfg, fmt.Sprintf("extensions:\n  overlook:\n    alerting:\n      rule_files: [%s/*.yml]\n", ruleDir))
	want := path + `:7:15: group "queue", rule 2, "Broken": could not parse expression`
	for _, args := range [][]string{
		{"config", "validate", "--config", cfg},
		{"serve", "--config", cfg, "--data", t.TempDir(), "--set", "extensions::overlook::http::endpoint=" + freePort(t),
			"--set", "receivers::otlp::protocols::grpc::endpoint=" + freePort(t), "--set", "receivers::otlp::protocols::http::endpoint=" + freePort(t)},
	} {
		cmd := exec.Command(binary, args...)
		done := make(chan struct{})
		var out []byte
		var err error
		go func() { out, err = cmd.CombinedOutput(); close(done) }()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("overlook %s did not exit with a broken rule file:\n%s", args[0], out)
		}
		if err == nil || !strings.Contains(string(out), want) || !strings.Contains(string(out), "rule_files") {
			t.Errorf("overlook %v: %v\n%s\nwant an error containing %q", args[:2], err, out, want)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// send makes a request without a body and returns status and body.
func (s *server) send(method, path string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, "http://"+s.api+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (s *server) getText(path string) string {
	s.t.Helper()
	_, body := s.send(http.MethodGet, path)
	return body
}

// metricValue is the value of the first series of the server's /metrics
// matching series (a regular expression of the name and labels), 0 if none.
func (s *server) metricValue(series string) float64 {
	s.t.Helper()
	m := regexp.MustCompile(`(?m)^` + series + ` (\S+)`).FindStringSubmatch(s.getText("/metrics"))
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

func (s *server) ready() bool {
	resp, err := http.Get("http://" + s.api + "/ready")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// promQueryResult is the answer of an instant query.
type promQueryResult struct {
	Data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	} `json:"data"`
}

func (s *server) promQuery(q string) promQueryResult {
	s.t.Helper()
	var res promQueryResult
	if code := s.getJSON("/prometheus/api/v1/query?query="+url.QueryEscape(q), &res); code != http.StatusOK {
		s.t.Fatalf("query %q: %d", q, code)
	}
	return res
}
