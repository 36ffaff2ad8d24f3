package rules

import (
	"context"
	"testing"
	"time"

	promrules "github.com/prometheus/prometheus/rules"
)

const qmtlRules = "../../../examples/qmtl/alert_rules.yml"

// TestQMTLAlerts drives every alert of examples/qmtl/alert_rules.yml
// (seed 002's QMTL alerts) through pending → firing → resolved with
// synthetic series in the DuckDB store, evaluating it (as a group of
// its own) at every step with Prometheus's rules engine over overlook's queryable and
// appender. Times are offsets from the Unix epoch; "on" is the first
// evaluation whose expression holds (worked out per case from the
// series), firing is on + `for`, and "off" the first evaluation where it
// no longer holds. With samples every 15s, a [5m] window at sample k
// holds samples k-19..k (the window's start is excluded).
func TestQMTLAlerts(t *testing.T) {
	const m15 = 15 * time.Second
	cases := []struct {
		alert      string
		step, eval time.Duration // sample and evaluation interval
		evals      int
		series     []string
		on, off    int // evaluation index
		forSteps   int // `for` in evaluations
		wantLabels map[string]string
	}{
		{alert: "DiffDurationHigh", step: m15, eval: m15, evals: 120, forSteps: 20, on: 40, off: 80,
			series: []string{`diff_duration_ms_p95{job="dagmanager"} 100x39 300x39 100x40`}},
		// 10 failed of 190 requests in the window at 10m (5.3% > 5%): the
		// same sample times extrapolate both rates alike. The last
		// failure (sample 79) leaves the window at 79+19 = 98.
		{alert: "DiffFailureRateHigh", step: m15, eval: m15, evals: 120, forSteps: 20, on: 40, off: 98,
			series: []string{`diff_requests_total{job="dagmanager"} 0+10x120`,
				`diff_failures_total{job="dagmanager"} 100x39 110+10x39 500x40`}},
		// Requests stop after sample 39; the last increase (39) leaves
		// the window at 39+19 = 58; they resume at 140.
		{alert: "DiffThroughputLow", step: m15, eval: m15, evals: 160, forSteps: 40, on: 58, off: 140,
			series: []string{`diff_requests_total{job="dagmanager"} 0+10x39 390x99 400+10x20`}},
		{alert: "NodeCacheMemoryHigh", step: m15, eval: m15, evals: 120, forSteps: 20, on: 40, off: 80,
			wantLabels: map[string]string{"scope": "total"},
			series: []string{`nodecache_resident_bytes{job="dagmanager",scope="total"} 1e9x39 6e9x39 1e9x40`,
				`nodecache_resident_bytes{job="dagmanager",scope="node"} 6e9x120`}},
		{alert: "QueueCreateErrors", step: m15, eval: m15, evals: 80, forSteps: 4, on: 40, off: 59,
			series: []string{`queue_create_error_total{job="dagmanager"} 0x39 1x40`}},
		{alert: "SentinelGap", step: m15, eval: m15, evals: 120, forSteps: 4, on: 40, off: 80,
			series: []string{`sentinel_gap_count{job="dagmanager"} 0x39 2x39 0x40`}},
		// Samples every minute: a [3h] window holds samples k-179..k.
		{alert: "OrphanQueuesGrowing", step: time.Minute, eval: time.Minute, evals: 200, forSteps: 10, on: 10, off: 189,
			series: []string{`orphan_queue_total{job="dagmanager"} 5x9 6x190`}},
		{alert: "QueueLagHigh", step: m15, eval: m15, evals: 120, forSteps: 20, on: 40, off: 80,
			wantLabels: map[string]string{"topic": "orders"},
			series: []string{`queue_lag_seconds{job="dagmanager",topic="orders"} 5x39 50x39 5x40`,
				`queue_lag_threshold_seconds{job="dagmanager",topic="orders"} 30x120`,
				`queue_lag_seconds{job="dagmanager",topic="fills"} 50x120`,
				`queue_lag_threshold_seconds{job="dagmanager",topic="fills"} 100x120`}},
		// The last GC ran at 300s (sample 20); time() - 300 > 600 from
		// 915s (sample 61); GC runs again at sample 100.
		{alert: "GCSchedulerStall", step: m15, eval: m15, evals: 120, forSteps: 4, on: 61, off: 100,
			series: []string{`gc_last_run_timestamp{job="dagmanager"} 0+15x20 300x78 1500+15x20`}},
		{alert: "GatewayLatencyHigh", step: m15, eval: m15, evals: 120, forSteps: 20, on: 40, off: 80,
			series: []string{`gateway_e2e_latency_p95{job="gateway"} 100x39 200x39 100x40`}},
		{alert: "LostRequests", step: m15, eval: m15, evals: 80, forSteps: 4, on: 40, off: 59,
			series: []string{`lost_requests_total{job="gateway"} 0x39 3x40`}},
		// Slow observations (500ms..1s) from sample 40 to 79, none else:
		// p95 = 975ms while they are in the window (to 79+19 = 98).
		{alert: "NodeSlowProcessing", step: m15, eval: m15, evals: 120, forSteps: 20, on: 40, off: 98,
			series: []string{`node_process_duration_ms_bucket{job="node",le="100"} 0x120`,
				`node_process_duration_ms_bucket{job="node",le="500"} 0x120`,
				`node_process_duration_ms_bucket{job="node",le="1000"} 0x39 1+1x39 40x40`,
				`node_process_duration_ms_bucket{job="node",le="+Inf"} 0x39 1+1x39 40x40`}},
		{alert: "NodeFailures", step: m15, eval: m15, evals: 80, forSteps: 4, on: 40, off: 59,
			series: []string{`node_process_failure_total{job="node"} 0x39 2x40`}},
		// No `for`: firing at the first evaluation that sees the hit, no
		// pending state; the counter is reset (component restarted) at 80.
		{alert: "CrossContextCacheHit", step: m15, eval: m15, evals: 120, forSteps: 0, on: 40, off: 80,
			wantLabels: map[string]string{"node_id": "n1", "world_id": "w1", "severity": "critical"},
			series:     []string{`cross_context_cache_hit_total{job="node",node_id="n1",world_id="w1",execution_domain="live",as_of="__unset__",partition="p0"} 0x39 1x39 0x40`}},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.alert, func(t *testing.T) {
			env := newTestEnv(t)
			t0 := time.Unix(0, 0).UTC()
			env.load(t, t0, tc.step, tc.series...)
			rec := &recorder{}
			opts, groups := env.manager(t, rec, 10*time.Minute, tc.eval, qmtlRules)
			g, r := groupOf(t, groups, tc.alert)
			// Only this rule is evaluated (the others of its group see
			// no data of theirs): the same engine path, fewer queries.
			g = alone(g, r, opts)
			ar := r.(*promrules.AlertingRule)
			seen[tc.alert] = true
			if got := ar.HoldDuration(); got != time.Duration(tc.forSteps)*tc.eval {
				t.Fatalf("for = %s, the case assumes %s", got, time.Duration(tc.forSteps)*tc.eval)
			}
			for _, rr := range g.AlertingRules() {
				rr.SetRestored(true) // a fresh start: nothing to restore
			}
			pending, firing, resolved := -1, -1, -1
			for i := 0; i <= tc.evals; i++ {
				ts := t0.Add(time.Duration(i) * tc.eval)
				g.Eval(context.Background(), ts)
				if err := ar.LastError(); err != nil {
					t.Fatalf("eval at %s: %v", ts, err)
				}
				switch st := ar.State(); {
				case st == promrules.StatePending && pending < 0:
					pending = i
				case st == promrules.StateFiring && firing < 0:
					firing = i
					for _, a := range ar.ActiveAlerts() {
						for k, v := range tc.wantLabels {
							if a.Labels.Get(k) != v {
								t.Errorf("alert labels %s: %s = %q, want %q", a.Labels, k, a.Labels.Get(k), v)
							}
						}
					}
					if n := len(ar.ActiveAlerts()); n != 1 {
						t.Errorf("%d alerts firing, want 1: %v", n, ar.ActiveAlerts())
					}
				case st == promrules.StateInactive && firing >= 0 && resolved < 0:
					resolved = i
				}
			}
			wantPending := tc.on
			if tc.forSteps == 0 {
				wantPending = -1
			}
			if pending != wantPending || firing != tc.on+tc.forSteps || resolved != tc.off {
				t.Fatalf("pending/firing/resolved at evaluations %d/%d/%d, want %d/%d/%d",
					pending, firing, resolved, wantPending, tc.on+tc.forSteps, tc.off)
			}
			// The notifier got one firing notice at the firing time and
			// one resolved notice at the resolving time.
			notes := rec.of(tc.alert)
			firedAt, resolvedAt := t0.Add(time.Duration(firing)*tc.eval), t0.Add(time.Duration(resolved)*tc.eval)
			if len(notes) < 2 || notes[0].resolved || !notes[0].startsAt.Equal(firedAt) ||
				!notes[len(notes)-1].resolved || !notes[len(notes)-1].endsAt.Equal(resolvedAt) {
				t.Fatalf("notifications %+v: want firing from %s first and resolved at %s last", notes, firedAt, resolvedAt)
			}
		})
	}
	_, groups := newTestEnv(t).manager(t, &recorder{}, time.Minute, time.Minute, qmtlRules)
	for _, g := range groups {
		for _, r := range g.AlertingRules() {
			if !seen[r.Name()] {
				t.Errorf("alert %s of %s has no case", r.Name(), qmtlRules)
			}
		}
	}
}
