package promvec

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/teststorage"
)

// loadRandom writes counters and gauges with jittered scrapes, gaps,
// counter resets, stale markers, NaN and negative values into a TSDB;
// it returns the time of the last sample (ms).
func loadRandom(t testing.TB, st storage.Storage, rng *rand.Rand, nSeries int) int64 {
	app := st.Appender(context.Background())
	var last int64
	for i := range nSeries {
		name := "x_total"
		switch i % 5 {
		case 3:
			name = "y_total" // a second name: name-dropping collisions
		case 4:
			name = "g" // no counter suffix: rate gets the engine's info
		}
		lset := labels.FromStrings("__name__", name, "job", fmt.Sprintf("j%d", i%3),
			"instance", fmt.Sprintf("i%d", i%7), "zone", fmt.Sprintf("z%d", i%2))
		if name == "y_total" {
			lset = labels.FromStrings("__name__", name, "job", fmt.Sprintf("j%d", i%3),
				"instance", fmt.Sprintf("i%d", (i-3)%7), "zone", fmt.Sprintf("z%d", (i-3)%2))
		}
		ts, v := int64(rng.IntN(30_000)), float64(rng.IntN(100))
		interval := int64(5_000 + rng.IntN(30_000))
		for range 150 + rng.IntN(300) {
			switch r := rng.IntN(100); {
			case r < 3:
				v = float64(rng.IntN(5)) // counter reset
			case r < 5:
				v = math.Float64frombits(value.StaleNaN) // stale marker
			case r < 6 && name == "g":
				v = math.NaN()
			case r < 8:
				ts += interval * int64(2+rng.IntN(10)) // a gap
			default:
				if math.IsNaN(v) {
					v = 0
				}
				v += float64(rng.IntN(1000)) / 7
				if name == "g" {
					v -= 100
				}
			}
			ts += interval + int64(rng.IntN(int(interval/3))) - interval/6
			if _, err := app.Append(0, lset, ts, v); err != nil {
				t.Fatal(err)
			}
			last = max(last, ts)
		}
	}
	// Classic histograms: h_bucket{le} cumulative across le, resets of
	// the whole histogram, one with an le that is not a number.
	les := []string{"0.1", "0.5", "1", "2.5", "+Inf"}
	for h := range 12 {
		ts := int64(rng.IntN(30_000))
		interval := int64(10_000 + rng.IntN(20_000))
		counts := make([]float64, len(les))
		lesH := les
		if h == 11 {
			lesH = []string{"0.1", "abc", "1", "2.5", "+Inf"}
		}
		for range 200 + rng.IntN(200) {
			ts += interval + int64(rng.IntN(int(interval/4)))
			if rng.IntN(60) == 0 {
				clear(counts)
			}
			var acc float64
			for k := range counts {
				acc += float64(rng.IntN(20))
				counts[k] += acc
			}
			for k, le := range lesH {
				lset := labels.FromStrings("__name__", "h_bucket", "job", fmt.Sprintf("j%d", h%3), "instance", fmt.Sprintf("i%d", h), "le", le)
				if _, err := app.Append(0, lset, ts, counts[k]); err != nil {
					t.Fatal(err)
				}
			}
			last = max(last, ts)
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	return last
}

// sameResult reports how two results differ ("" if they are equal: the
// same series, labels, points, and float bits).
func sameResult(want, got *promql.Result) string {
	if (want.Err == nil) != (got.Err == nil) {
		return fmt.Sprintf("error %v, want %v", got.Err, want.Err)
	}
	if want.Err != nil {
		if want.Err.Error() != got.Err.Error() {
			return fmt.Sprintf("error %q, want %q", got.Err, want.Err)
		}
		return ""
	}
	if w, g := slices.Sorted(maps.Keys(want.Warnings)), slices.Sorted(maps.Keys(got.Warnings)); !slices.Equal(w, g) {
		return fmt.Sprintf("annotations %q, want %q", g, w)
	}
	wm, ok1 := want.Value.(promql.Matrix)
	gm, ok2 := got.Value.(promql.Matrix)
	if !ok1 || !ok2 {
		return fmt.Sprintf("value %T, want %T", got.Value, want.Value)
	}
	if len(wm) != len(gm) {
		return fmt.Sprintf("%d series, want %d", len(gm), len(wm))
	}
	for i := range wm {
		if !labels.Equal(wm[i].Metric, gm[i].Metric) {
			return fmt.Sprintf("series %d: %s, want %s", i, gm[i].Metric, wm[i].Metric)
		}
		if wm[i].DropName != gm[i].DropName {
			return fmt.Sprintf("series %s: DropName %v, want %v", wm[i].Metric, gm[i].DropName, wm[i].DropName)
		}
		if len(wm[i].Floats) != len(gm[i].Floats) || len(gm[i].Histograms) != len(wm[i].Histograms) {
			return fmt.Sprintf("series %s: %d points, want %d", wm[i].Metric, len(gm[i].Floats), len(wm[i].Floats))
		}
		for j, w := range wm[i].Floats {
			g := gm[i].Floats[j]
			if w.T != g.T || math.Float64bits(w.F) != math.Float64bits(g.F) && !(math.IsNaN(w.F) && math.IsNaN(g.F)) {
				return fmt.Sprintf("series %s point %d: %v, want %v", wm[i].Metric, j, g, w)
			}
		}
	}
	return ""
}

func engineOpts(delayed bool) promql.EngineOpts {
	return promql.EngineOpts{
		MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute,
		EnableAtModifier: true, EnableNegativeOffset: true, EnableDelayedNameRemoval: delayed,
		NoStepSubqueryIntervalFn: func(int64) int64 { return 60_000 },
	}
}

// TestMatchesEngine evaluates random queries of every shape evaluated
// here over random data, with the engine and with promvec, and requires
// equal results — the same floats, bit for bit — and that promvec
// evaluated (not fell back on) most of them.
func TestMatchesEngine(t *testing.T) {
	for _, delayed := range []bool{false, true} {
		t.Run(fmt.Sprintf("delayed_name_removal=%v", delayed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(map[bool]int{false: 2, true: 3}[delayed])))
			st := teststorage.New(t)
			last := loadRandom(t, st, rng, 40)
			ng := promql.NewEngine(engineOpts(delayed))
			t.Cleanup(func() { _ = ng.Close() })
			vec := New(ng, Options{MaxSamples: 50_000_000, Timeout: time.Minute, DelayedNameRemoval: delayed}, nil)
			fns := []string{"rate", "increase", "delta", "irate", "idelta", "sum_over_time", "count_over_time", "min_over_time", "max_over_time"}
			aggs := []string{"", "sum", "avg", "min", "max", "count", "group", "sum by (job)", "avg by (job, zone)",
				"max without (instance)", "count without (instance, zone)", "sum without ()", "min by (nope)"}
			sels := []string{`x_total`, `x_total{job="j1"}`, `{__name__=~"x_total|y_total"}`, `g`, `{__name__=~".+_total|g"}`}
			ranges := []string{"1m", "5m", "90s", "37s", "10m"}
			offsets := []string{"", " offset 1m", " offset -45s"}
			stepsD := []time.Duration{15 * time.Second, time.Minute, 7 * time.Second, 5 * time.Minute, 1001 * time.Millisecond}
			hsels := []string{`h_bucket`, `h_bucket{job="j1"}`, `h_bucket{instance=~"i1[01]"}`}
			haggs := []string{"", "sum by (le)", "sum by (job, le)", "sum without (instance)", "max by (le)", "sum"}
			var ran, ranQ int
			for k := range 1000 {
				fn := fns[rng.IntN(len(fns))]
				agg := aggs[rng.IntN(len(aggs))]
				sel := sels[rng.IntN(len(sels))]
				if k%3 == 0 {
					agg, sel = haggs[rng.IntN(len(haggs))], hsels[rng.IntN(len(hsels))]
				}
				qs := fmt.Sprintf("%s(%s[%s]%s)", fn, sel, ranges[rng.IntN(len(ranges))], offsets[rng.IntN(len(offsets))])
				if agg != "" {
					qs = agg + " (" + qs + ")"
				}
				if k%3 == 0 {
					qs = fmt.Sprintf("histogram_quantile(%s, %s)", []string{"0.9", "0.5", "0", "1", "(0.99)"}[rng.IntN(5)], qs)
				}
				step := stepsD[rng.IntN(len(stepsD))]
				start := time.UnixMilli(int64(rng.IntN(int(last))) - 600_000)
				end := start.Add(time.Duration(1+rng.IntN(400)) * step).Add(time.Duration(rng.IntN(1000)) * time.Millisecond)
				want := exec(t, ng, st, qs, start, end, step)
				before := vec.Counts().Evaluated.Load()
				got := exec(t, vec, st, qs, start, end, step)
				if vec.Counts().Evaluated.Load() > before {
					ran++
					if k%3 == 0 {
						ranQ++
					}
				}
				if d := sameResult(want, got); d != "" {
					t.Fatalf("%s from %d to %d step %s: %s", qs, start.UnixMilli(), end.UnixMilli(), step, d)
				}
			}
			c := vec.Counts()
			t.Logf("evaluated %d, fell back %d, declined %d", c.Evaluated.Load(), c.FellBack.Load(), c.Declined.Load())
			if ran < 600 || ranQ < 150 {
				t.Errorf("promvec evaluated only %d of 1000 queries, %d of 334 with histogram_quantile", ran, ranQ)
			}
			t.Logf("histogram_quantile: %d evaluated", ranQ)
			if c.FellBack.Load() == 0 {
				t.Error("no query fell back: the data should make some (no counter suffix, collisions)")
			}
		})
	}
}

type rangeEngine interface {
	NewRangeQuery(ctx context.Context, q storage.Queryable, opts promql.QueryOpts, qs string,
		start, end time.Time, step time.Duration) (promql.Query, error)
}

func exec(t *testing.T, e rangeEngine, q storage.Queryable, qs string, start, end time.Time, step time.Duration) *promql.Result {
	t.Helper()
	qry, err := e.NewRangeQuery(t.Context(), q, nil, qs, start, end, step)
	if err != nil {
		t.Fatalf("%s: %v", qs, err)
	}
	res := qry.Exec(t.Context())
	// Copy before Close returns the points to the engine's pools.
	if m, ok := res.Value.(promql.Matrix); ok {
		cp := make(promql.Matrix, len(m))
		for i, s := range m {
			cp[i] = promql.Series{Metric: s.Metric, DropName: s.DropName, Floats: append([]promql.FPoint(nil), s.Floats...)}
		}
		res = &promql.Result{Value: cp, Warnings: res.Warnings, Err: res.Err}
	}
	qry.Close()
	return res
}

// TestCompile lists which shapes are evaluated here.
func TestCompile(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	for _, tc := range []struct {
		q  string
		ok bool
	}{
		{`rate(x[5m])`, true},
		{`sum by (job) (rate(x_total[5m]))`, true},
		{`((sum without (i) ((increase(x[1m] offset 5m)))))`, true},
		{`avg(delta(g[10m]))`, true},
		{`count by (a, b) (rate(x[5m]))`, true},
		{`group(rate(x[5m]))`, true},
		{`rate(x[5m] @ 100)`, false},
		{`rate(x[5m] @ end())`, false},
		{`sum by (__name__) (rate(x[5m]))`, false},
		{`topk(3, rate(x[5m]))`, false},
		{`quantile(0.9, rate(x[5m]))`, false},
		{`stddev(rate(x[5m]))`, false},
		{`irate(x[5m])`, true},
		{`sum by (job) (idelta(x[5m]))`, true},
		{`deriv(x[5m])`, false},
		{`max by (job) (max_over_time(x[5m]))`, true},
		{`sum_over_time(x[5m])`, true},
		{`avg_over_time(x[5m])`, false},
		{`last_over_time(x[5m])`, false},
		{`rate(x[5m:1m])`, false},
		{`sum(x)`, false},
		{`x`, false},
		{`rate(x[5m]) * 2`, false},
		{`histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))`, true},
		{`histogram_quantile(0.5, rate(x_bucket[5m]))`, true},
		{`histogram_quantile((1), (sum without (i) (increase(x_bucket[5m]))))`, true},
		{`histogram_quantile(1.5, rate(x_bucket[5m]))`, false},
		{`histogram_quantile(0.5 + 0.1, rate(x_bucket[5m]))`, false},
		{`histogram_quantile(0.5, sum by (le) (x_bucket))`, false},
		{`sum(sum by (job) (rate(x[5m])))`, false},
	} {
		expr, err := p.ParseExpr(tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.q, err)
		}
		if _, ok := compile(expr, Options{}); ok != tc.ok {
			t.Errorf("%s: compiled %v, want %v", tc.q, ok, tc.ok)
		}
	}
}

// TestMaxSamples: an evaluation that would hold more samples than the
// engine's limit (output points, or a group's per-step accumulators) is
// left to the engine, whose answer (here its error) is returned.
func TestMaxSamples(t *testing.T) {
	st := teststorage.New(t)
	last := loadRandom(t, st, rand.New(rand.NewPCG(5, 6)), 40)
	opts := engineOpts(false)
	opts.MaxSamples = 2000
	ng := promql.NewEngine(opts)
	t.Cleanup(func() { _ = ng.Close() })
	vec := New(ng, Options{MaxSamples: opts.MaxSamples, Timeout: time.Minute}, nil)
	start := time.UnixMilli(last / 2)
	for _, tc := range []struct {
		qs   string
		step time.Duration
	}{
		{`rate(x_total[5m])`, 15 * time.Second},                      // output points
		{`sum by (instance, zone) (rate(x_total[5m]))`, time.Second}, // accumulators
	} {
		want := exec(t, ng, st, tc.qs, start, start.Add(2*time.Hour), tc.step)
		before := vec.Counts().FellBack.Load()
		got := exec(t, vec, st, tc.qs, start, start.Add(2*time.Hour), tc.step)
		if d := sameResult(want, got); d != "" {
			t.Errorf("%s: %s", tc.qs, d)
		}
		if vec.Counts().FellBack.Load() != before+1 {
			t.Errorf("%s: not left to the engine", tc.qs)
		}
		if want.Err == nil {
			t.Errorf("%s: the engine answered within %d samples; the test needs more", tc.qs, opts.MaxSamples)
		}
	}
}
