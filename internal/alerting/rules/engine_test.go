package rules

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/overlook-dev/overlook/internal/prom/promstorage"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const apiRules = `groups:
  - name: app
    interval: 30s
    rules:
      - record: job:level:max
        expr: max by (job) (level)
        labels:
          source: recorded
      - alert: High
        expr: level{job="app"} > 10
        for: 5m
        labels:
          severity: page
        annotations:
          summary: "level is {{ $value }} on {{ $labels.instance }}"
  - name: other
    rules:
      - alert: Never
        expr: vector(1) < 0
`

// newEngine returns an Engine (not running) over env evaluating files.
func newEngine(t *testing.T, env *testEnv, reg prometheus.Registerer, lg *LastGood, globs ...string) (*Engine, error) {
	t.Helper()
	e, err := New(Options{Config: Config{RuleFiles: globs, EvaluationInterval: time.Minute,
		ExternalURL: "http://overlook.test:8080", ExternalLabels: map[string]string{"cluster": "prod"}},
		QueryEngine: env.api.QueryEngine(), Parser: env.api.Parser(), Queryable: env.api.Queryable(),
		Appendable: promstorage.NewAppendable(env.st), Registerer: reg, Logger: slog.New(slog.DiscardHandler), LastGood: lg})
	if err == nil {
		t.Cleanup(e.Stop)
	}
	return e, err
}

// evalAll evaluates every group of e at ts (the engine is not running).
func evalAll(e *Engine, ts time.Time) {
	for _, g := range e.RuleGroups() {
		for _, r := range g.AlertingRules() {
			r.SetRestored(true)
		}
		g.Eval(context.Background(), ts)
	}
}

var (
	evalTimeRe = regexp.MustCompile(`"evaluationTime":[0-9.e-]+`)
	lastEvalRe = regexp.MustCompile(`"lastEvaluation":"[^"]+"`)
)

// get answers a request of path from e's handler: status and body, with
// measured durations and evaluation times (wall clock) replaced.
func get(t *testing.T, e *Engine, method, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	e.Handler("/prometheus").ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	body, _ := io.ReadAll(rec.Body)
	out := evalTimeRe.ReplaceAllString(string(body), `"evaluationTime":0`)
	return rec.Code, lastEvalRe.ReplaceAllString(out, `"lastEvaluation":"MEASURED"`)
}

// golden compares got (JSON) with testdata/name, indented.
func golden(t *testing.T, name, got string) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", name, err, got)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, append(b, '\n'), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if strings.TrimSpace(string(want)) != string(b) {
		t.Errorf("%s differs from the golden file:\n%s", name, b)
	}
}

// TestRulesAPI: /api/v1/rules and /api/v1/alerts in Prometheus's shapes
// (golden files), with its filters and error answers.
func TestRulesAPI(t *testing.T) {
	env := newTestEnv(t)
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	env.load(t, t0, 30*time.Second, `level{job="app",instance="i1"} 20x10`, `level{job="app",instance="i2"} 5x10`)
	path := writeRules(t, t.TempDir(), "app.yml", apiRules)
	e, err := newEngine(t, env, prometheus.NewRegistry(), nil, path)
	if err != nil {
		t.Fatal(err)
	}
	evalAll(e, t0.Add(time.Minute))
	evalAll(e, t0.Add(90*time.Second))
	file := regexp.MustCompile(regexp.QuoteMeta(path))
	for _, c := range []struct {
		name, path string
		code       int
		golden     string
	}{
		{"all rules", "/prometheus/api/v1/rules", 200, "rules.json"},
		{"alerting rules", "/prometheus/api/v1/rules?type=alert&exclude_alerts=true", 200, "rules_alert_exclude.json"},
		{"recording rules", "/prometheus/api/v1/rules?type=record", 200, "rules_record.json"},
		{"by name", "/prometheus/api/v1/rules?rule_name[]=Never", 200, "rules_never.json"},
		{"by group and file", "/prometheus/api/v1/rules?rule_group[]=app&file[]=" + path, 200, "rules.json_app"},
		{"by label", `/prometheus/api/v1/rules?match[]={severity="page"}`, 200, "rules_match.json"},
		{"no such file", "/prometheus/api/v1/rules?file[]=nope.yml", 200, "rules_none.json"},
		{"alerts", "/prometheus/api/v1/alerts", 200, "alerts.json"},
		{"bad type", "/prometheus/api/v1/rules?type=alerts", 400, "error_type.json"},
		{"bad match", "/prometheus/api/v1/rules?match[]={", 400, "error_match.json"},
		{"pagination", "/prometheus/api/v1/rules?group_limit=1", 400, "error_pagination.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, body := get(t, e, http.MethodGet, c.path)
			if code != c.code {
				t.Fatalf("status %d, want %d: %s", code, c.code, body)
			}
			body = file.ReplaceAllString(body, "RULES_FILE")
			if c.golden == "rules.json_app" {
				// the filters keep group app only
				_, all := get(t, e, http.MethodGet, "/prometheus/api/v1/rules?rule_group[]=app")
				if body != file.ReplaceAllString(all, "RULES_FILE") || strings.Contains(body, `"other"`) {
					t.Fatalf("filter by group and file: %s", body)
				}
				return
			}
			golden(t, c.golden, body)
		})
	}
}

// TestEngineMetrics: the rules manager's and the notifier's metrics, under
// Prometheus's names, are on the registry while the engine runs and gone
// after Stop, so that the next engine (a reload) registers them again.
func TestEngineMetrics(t *testing.T) {
	env := newTestEnv(t)
	path := writeRules(t, t.TempDir(), "app.yml", apiRules)
	reg := prometheus.NewRegistry()
	e, err := newEngine(t, env, reg, nil, path)
	if err != nil {
		t.Fatal(err)
	}
	evalAll(e, time.Now())
	for _, name := range []string{"prometheus_rule_evaluations_total", "prometheus_rule_evaluation_failures_total",
		"prometheus_rule_group_last_evaluation_timestamp_seconds", "prometheus_rule_group_last_duration_seconds",
		"prometheus_rule_group_rules", "prometheus_notifications_alertmanagers_discovered", "prometheus_notifications_queue_capacity",
		"prometheus_config_last_reload_successful"} {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n == 0 {
			t.Errorf("metric %s: %d series (%v)", name, n, err)
		}
	}
	if got := testutil.ToFloat64(e.lastReload); got != 1 {
		t.Errorf("prometheus_config_last_reload_successful = %g, want 1", got)
	}
	e.Stop()
	if n, _ := testutil.GatherAndCount(reg); n != 0 {
		t.Errorf("%d series left on the registry after Stop", n)
	}
	if _, err := newEngine(t, env, reg, nil, path); err != nil {
		t.Fatalf("a second engine on the same registry: %v", err)
	}
}
