package promvec

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/teststorage"
)

// FuzzMatchesEngine: any query of promvec's shapes, with any range,
// offset, step and time range the engine accepts (huge, tiny, negative,
// windows shorter than a step), gives the engine's answer.
func FuzzMatchesEngine(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(0), int64(300_000), int64(0), int64(60_000), int64(0), int64(3_600_000))
	f.Add(uint8(3), uint8(7), uint8(2), int64(1), int64(-1), int64(1), int64(-5_000), int64(10))
	f.Add(uint8(8), uint8(12), uint8(4), int64(86_400_000), int64(86_400_000), int64(3_600_000), int64(-86_400_000), int64(86_400_000))
	f.Add(uint8(1), uint8(3), uint8(1), int64(7), int64(13), int64(1_000_000), int64(1<<40), int64(1<<40+5_000_000))
	var st storage.Storage = teststorage.New(f)
	loadRandom(f, st, rand.New(rand.NewPCG(9, 10)), 25)
	ng := promql.NewEngine(engineOpts(false))
	f.Cleanup(func() { _ = ng.Close() })
	vec := New(ng, Options{MaxSamples: 50_000_000, Timeout: time.Minute}, nil)
	f.Fuzz(func(t *testing.T, fnI, aggI, selI uint8, rangeMs, offsetMs, stepMs, startMs, endMs int64) {
		fns := []string{"rate", "increase", "delta", "irate", "idelta", "sum_over_time", "count_over_time", "min_over_time", "max_over_time"}
		aggs := []string{"", "sum", "avg", "min", "max", "count", "group", "sum by (job)", "avg without (instance)",
			"histogram_quantile(0.9, sum by (le) (%s))", "histogram_quantile(0.5, %s)", "max by (le, job) (%s)", "count without (zone) (%s)"}
		sels := []string{`x_total`, `h_bucket`, `{__name__=~"x_total|y_total"}`, `g`, `nothing`}
		rangeMs = 1 + abs(rangeMs)%(30*86_400_000)
		offsetMs %= 30 * 86_400_000
		stepMs = 1 + abs(stepMs)%86_400_000
		startMs %= 1 << 42
		endMs %= 1 << 42
		if endMs < startMs || (endMs-startMs)/stepMs > 11_000 {
			return // the API refuses these before the engine
		}
		inner := fns[int(fnI)%len(fns)] + "(" + sels[int(selI)%len(sels)] + "[" + (time.Duration(rangeMs) * time.Millisecond).String() + "] offset " + (time.Duration(offsetMs) * time.Millisecond).String() + ")"
		qs := inner
		switch agg := aggs[int(aggI)%len(aggs)]; {
		case agg == "":
		case len(agg) > 2 && agg[len(agg)-3:] == "%s)":
			qs = fmtQuery(agg, inner)
		default:
			qs = agg + " (" + inner + ")"
		}
		start, end := time.UnixMilli(startMs), time.UnixMilli(endMs)
		step := time.Duration(stepMs) * time.Millisecond
		if _, err := ng.NewRangeQuery(t.Context(), st, nil, qs, start, end, step); err != nil {
			return // the engine refuses the query itself
		}
		want := exec(t, ng, st, qs, start, end, step)
		got := exec(t, vec, st, qs, start, end, step)
		if d := sameResult(want, got); d != "" {
			t.Fatalf("%s from %d to %d step %s: %s", qs, startMs, endMs, step, d)
		}
	})
}

func fmtQuery(format, inner string) string {
	i := len(format) - 3
	return format[:i] + inner + ")"
}

func abs(v int64) int64 {
	if v < 0 {
		if v == -v { // MinInt64
			return 0
		}
		return -v
	}
	return v
}

// TestTimeout: an evaluation past the engine's timeout answers the
// engine's timeout error, not a result.
func TestTimeout(t *testing.T) {
	st := teststorage.New(t)
	last := loadRandom(t, st, rand.New(rand.NewPCG(11, 12)), 40)
	ng := promql.NewEngine(engineOpts(false))
	t.Cleanup(func() { _ = ng.Close() })
	vec := New(ng, Options{MaxSamples: 50_000_000, Timeout: time.Nanosecond}, nil)
	q, err := vec.NewRangeQuery(t.Context(), st, nil, `sum(rate(x_total[5m]))`, time.UnixMilli(0), time.UnixMilli(last), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	res := q.Exec(t.Context())
	var timeout promql.ErrQueryTimeout
	if !errors.As(res.Err, &timeout) {
		t.Fatalf("got %v, want a promql.ErrQueryTimeout", res.Err)
	}
}
