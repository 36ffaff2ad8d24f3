package rules

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	promrules "github.com/prometheus/prometheus/rules"
)

// writeRules writes a rule file into dir and returns its path.
func writeRules(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const highRule = `groups:
  - name: app
    rules:
      - alert: High
        expr: level{job="app"} > 10
        for: 5m
        labels:
          severity: page
`

// TestForStateRestoredAfterRestart: an alert pending for 2 of its 5
// minutes when the server stops keeps that time after a restart, as
// Prometheus restores it: from the ALERTS_FOR_STATE series, which
// overlook writes into and reads back from the store. Stopped at 12m
// (last evaluation), started at 13m: activeAt moves from 10m by the 1m
// outage to 11m, and the alert fires at 16m — not at 18m, as it would if
// the state were lost.
func TestForStateRestoredAfterRestart(t *testing.T) {
	env := newTestEnv(t)
	path := writeRules(t, t.TempDir(), "app.yml", highRule)
	t0 := time.Unix(0, 0).UTC()
	const step = 15 * time.Second
	env.load(t, t0, step, `level{job="app",instance="i1"} 0x39 20x100`)
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * step) }

	// First run: evaluations 0..48 (0..12m).
	opts, groups := env.manager(t, &recorder{}, time.Minute, step, path)
	g, r := groupOf(t, groups, "High")
	g = alone(g, r, opts)
	r.(*promrules.AlertingRule).SetRestored(true)
	for i := 0; i <= 48; i++ {
		g.Eval(context.Background(), at(i))
	}
	if as := r.(*promrules.AlertingRule).ActiveAlerts(); len(as) != 1 || as[0].State != promrules.StatePending || !as[0].ActiveAt.Equal(at(40)) {
		t.Fatalf("before the restart: %+v, want one alert pending since 10m", as)
	}

	// Restart at 13m: a new manager, whose groups restore their state
	// after their first evaluation (as Group.run does).
	opts2, groups2 := env.manager(t, &recorder{}, time.Minute, step, path)
	g2, r2 := groupOf(t, groups2, "High")
	g2 = alone(g2, r2, opts2)
	ar := r2.(*promrules.AlertingRule)
	g2.Eval(context.Background(), at(52))
	g2.RestoreForState(at(52))
	as := ar.ActiveAlerts()
	if len(as) != 1 || !as[0].ActiveAt.Equal(at(44)) {
		t.Fatalf("after the restart: %+v, want activeAt %s (10m + 1m outage)", as, at(44))
	}
	firing := -1
	for i := 53; i <= 80 && firing < 0; i++ {
		g2.Eval(context.Background(), at(i))
		if ar.State() == promrules.StateFiring {
			firing = i
		}
	}
	if firing != 64 {
		t.Fatalf("fired at evaluation %d (%s), want 64 (16m)", firing, at(firing))
	}
}

// TestRecordingRulesStored: recording-rule output is written into the
// store and reads back through PromQL with the rule's name.
func TestRecordingRulesStored(t *testing.T) {
	env := newTestEnv(t)
	t0 := time.Unix(0, 0).UTC()
	const step = 15 * time.Second
	env.load(t, t0, step, `diff_requests_total{job="dagmanager"} 0+10x60`,
		`diff_failures_total{job="dagmanager"} 100x39 110+10x20`)
	_, groups := env.manager(t, &recorder{}, time.Minute, step, qmtlRules)
	g, _ := groupOf(t, groups, "diff:requests:rate5m")
	ts := t0.Add(40 * step)
	g.Eval(context.Background(), ts)
	for _, r := range g.Rules() {
		if r.LastError() != nil {
			t.Fatalf("%s: %v", r.Name(), r.LastError())
		}
	}
	for _, c := range []struct {
		expr string
		want float64
	}{
		{"diff:requests:rate5m", 200.0 / 300},       // 190 in 285s, extrapolated to the 300s window
		{"diff:failure_ratio:rate5m", 10.0 / 190},   // both extrapolated alike
		{"absent(node:process_duration_ms:p95)", 1}, // no histogram: no output
	} {
		q, err := env.api.QueryEngine().NewInstantQuery(context.Background(), env.api.Queryable(), nil, c.expr, ts)
		if err != nil {
			t.Fatal(err)
		}
		res := q.Exec(context.Background())
		v, err := res.Vector()
		if err != nil || len(v) != 1 || math.Abs(v[0].F-c.want) > 1e-9 {
			t.Errorf("%s at %s = %v (%v), want %g", c.expr, ts, v, err, c.want)
		}
		q.Close()
	}
}
