package promcache

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/promql"
)

const rateByJob = `sum by (job) (rate(x_total[5m]))`

// TestCacheReuse: a repeated range query takes its sealed hours from the
// cache and evaluates (and reads from the store) only the rest; the
// answers are those of the uncached path.
func TestCacheReuse(t *testing.T) {
	e := newEnv(t, 64<<20)
	e.write(t0, t0.Add(6*time.Hour))
	start, end, step := t0.Add(10*time.Minute), t0.Add(6*time.Hour), time.Minute
	steps := float64(end.Sub(start)/step + 1)
	want := e.fresh(rateByJob, start, end, step)
	if len(want.mat) != 3 || len(want.mat[0].Floats) != int(steps) {
		t.Fatalf("reference answer: %d series", len(want.mat))
	}

	c0 := e.counts()
	if d := diff(e.cached(rateByJob, start, end, step), want); d != "" {
		t.Fatalf("cold: %s", d)
	}
	if c := e.counts().sub(c0); c.miss != 1 || c.evaluatedSteps != steps {
		t.Fatalf("cold query: %+v, want a miss of %v steps", c, steps)
	}
	if e.cache.Bytes() == 0 {
		t.Fatal("nothing cached")
	}

	// Now is 5:30: hour 5 is open (and so is the one step at 6:00), so
	// its 61 steps are evaluated again, the rest comes from the cache.
	c0 = e.counts()
	e.q.reset()
	if d := diff(e.cached(rateByJob, start, end, step), want); d != "" {
		t.Fatalf("warm: %s", d)
	}
	if c := e.counts().sub(c0); c.partial != 1 || c.evaluatedSteps != 61 || c.cachedSteps != steps-61 {
		t.Fatalf("warm query: %+v, want 61 steps evaluated", c)
	}
	// What was read: only the open hours' steps and their 5 m + 5 m.
	if lo := time.UnixMilli(e.q.minT); lo.Before(t0.Add(5*time.Hour - 10*time.Minute)) {
		t.Errorf("the warm query read from %v", lo)
	}

	// Once every hour is sealed (6:00's too: its hour ends at 7:00, plus
	// the margin), the open hours are cached by the next query and the one
	// after reads nothing.
	e.now = t0.Add(8 * time.Hour)
	for i, outcome := range []string{"partial", "hit"} {
		c0 = e.counts()
		e.q.reset()
		if d := diff(e.cached(rateByJob, start, end, step), want); d != "" {
			t.Fatalf("query %d: %s", i, d)
		}
		c := e.counts().sub(c0)
		if outcome == "hit" && (c.hit != 1 || c.evaluatedSteps != 0 || e.q.selects != 0) {
			t.Fatalf("sealed query: %+v, %d selects; want a hit without reads", c, e.q.selects)
		}
	}
	// A shorter range inside the cached one, on the same grid: a hit.
	c0 = e.counts()
	if d := diff(e.cached(rateByJob, start.Add(2*time.Hour), end.Add(-time.Hour), step),
		e.fresh(rateByJob, start.Add(2*time.Hour), end.Add(-time.Hour), step)); d != "" {
		t.Fatalf("sub-range: %s", d)
	}
	if c := e.counts().sub(c0); c.hit != 1 {
		t.Errorf("sub-range: %+v, want a hit", c)
	}
	// Another alignment of the steps is another query.
	c0 = e.counts()
	if d := diff(e.cached(rateByJob, start.Add(time.Second), end, step), e.fresh(rateByJob, start.Add(time.Second), end, step)); d != "" {
		t.Fatalf("shifted: %s", d)
	}
	if c := e.counts().sub(c0); c.miss != 1 {
		t.Errorf("shifted range: %+v, want a miss", c)
	}
}

// TestCacheLateWrite: a write into an old hour changes the answer of the
// next query exactly as the uncached path's; only the steps whose data
// window holds that hour are evaluated again. A write into hours the query
// does not read changes nothing.
func TestCacheLateWrite(t *testing.T) {
	e := newEnv(t, 64<<20)
	e.now = t0.Add(7 * time.Hour)
	e.write(t0, t0.Add(6*time.Hour))
	start, end, step := t0, t0.Add(6*time.Hour-time.Minute), time.Minute
	before := e.cached(rateByJob, start, end, step)
	if c := e.cached(rateByJob, start, end, step); diff(c, before) != "" {
		t.Fatal("warm answer differs")
	}

	// A sample between two scrapes of pod 2 of job b in hour 2: a counter
	// reset there, and a new series of job c.
	e.point("x_total", "b", "2", t0.Add(2*time.Hour+30*time.Minute+15*time.Second), 1)
	e.point("x_total", "c", "9", t0.Add(2*time.Hour+40*time.Minute), 5)
	c0 := e.counts()
	got := e.cached(rateByJob, start, end, step)
	want := e.fresh(rateByJob, start, end, step)
	if d := diff(got, want); d != "" {
		t.Fatalf("after the late write: %s", d)
	}
	if diff(got, before) == "" {
		t.Fatal("the late write did not change the answer: the test proves nothing")
	}
	// Hours 2 and 3 (whose first steps read 10 minutes of hour 2).
	if c := e.counts().sub(c0); c.partial != 1 || c.evaluatedSteps != 120 || c.stale != 2 {
		t.Errorf("after the late write: %+v, want 120 steps of 2 stale hours evaluated", c)
	}

	// Writes the query does not read: hours before and after its range.
	e.point("x_total", "a", "0", t0.Add(-3*time.Hour), 1)
	e.point("x_total", "a", "0", t0.Add(6*time.Hour+20*time.Minute), 1e6)
	c0 = e.counts()
	if d := diff(e.cached(rateByJob, start, end, step), want); d != "" {
		t.Fatalf("after unrelated writes: %s", d)
	}
	if c := e.counts().sub(c0); c.hit != 1 {
		t.Errorf("after unrelated writes: %+v, want a hit", c)
	}
}

// TestCacheNegativeOffset: a query reading ahead of its steps (offset
// -10m) depends on the next hour too.
func TestCacheNegativeOffset(t *testing.T) {
	e := newEnv(t, 64<<20)
	e.now = t0.Add(7 * time.Hour)
	e.write(t0, t0.Add(6*time.Hour))
	const qs = `sum by (job) (rate(x_total[5m] offset -10m))`
	start, end, step := t0.Add(time.Hour), t0.Add(3*time.Hour), time.Minute
	e.cached(qs, start, end, step)
	e.point("x_total", "a", "1", t0.Add(2*time.Hour+5*time.Minute), 0) // read by hour 1's last steps
	c0 := e.counts()
	if d := diff(e.cached(qs, start, end, step), e.fresh(qs, start, end, step)); d != "" {
		t.Fatal(d)
	}
	// Hour 1's steps from 1:50 read 2:00–2:10, hour 2's read hour 2; the
	// step at 3:00 reads 3:05–3:10 only and stays cached.
	if c := e.counts().sub(c0); c.evaluatedSteps != 120 || c.cachedSteps != 1 {
		t.Errorf("%+v: want hours 1 and 2 evaluated", c)
	}
}

// TestCacheNotCached: queries whose answer depends on their own range or
// on fixed times, per-step statistics, one-step ranges and answers with
// annotations are evaluated every time and stored never.
func TestCacheNotCached(t *testing.T) {
	e := newEnv(t, 64<<20)
	e.now = t0.Add(7 * time.Hour)
	e.write(t0, t0.Add(6*time.Hour))
	start, end, step := t0.Add(time.Hour), t0.Add(3*time.Hour), time.Minute
	at := fmt.Sprint(t0.Add(2 * time.Hour).Unix())
	for _, c := range []struct {
		qs         string
		start, end time.Time
		opts       promql.QueryOpts
		stored     bool // a cacheable query whose answer is not stored
	}{
		{qs: `x_total @ ` + at, start: start, end: end},
		{qs: `rate(x_total[5m] @ end())`, start: start, end: end},
		{qs: `x_total - x_total offset 1h @ start()`, start: start, end: end},
		{qs: rateByJob, start: start, end: end, opts: promql.NewPrometheusQueryOpts(true, 0)},
		{qs: rateByJob, start: start, end: start},
		{qs: `rate(g[5m])`, start: start, end: end, stored: true}, // an info: g is not a counter
	} {
		for i := range 2 {
			c0 := e.counts()
			got := run(t, e.eng, e.q, c.opts, c.qs, c.start, c.end, step)
			if d := diff(got, run(t, e.split, e.q, c.opts, c.qs, c.start, c.end, step)); d != "" {
				t.Errorf("%s: %s", c.qs, d)
			}
			cs := e.counts().sub(c0)
			if !c.stored && cs.uncacheable != 1 || c.stored && (cs.miss != 1 || len(got.warns) == 0) {
				t.Errorf("%s, run %d: %+v", c.qs, i, cs)
			}
		}
	}
	if n := testutil.ToFloat64(e.metrics.Entries); n != 0 {
		t.Errorf("%v entries cached", n)
	}
}

// TestCacheTenants: one cache for two tenants' stores: each gets its own
// data's answer, and a store opened again (a new generation tracker) does
// not find the entries of its former instance.
func TestCacheTenants(t *testing.T) {
	a := newEnv(t, 64<<20)
	b := newEnv(t, 64<<20)
	a.now, b.now = t0.Add(7*time.Hour), t0.Add(7*time.Hour)
	a.write(t0, t0.Add(6*time.Hour))
	b.write(t0, t0.Add(6*time.Hour))
	b.point("x_total", "a", "0", t0.Add(time.Hour+30*time.Minute+10*time.Second), 0)
	// b's engine shares a's cache, as tenant b.
	b.cache, b.metrics = a.cache, a.metrics
	b.eng = NewEngine(b.split, a.cache, b.st.MetricGenerations(), "tenant-b", nil)
	start, end, step := t0, t0.Add(5*time.Hour), time.Minute
	for range 2 {
		for _, x := range []*env{a, b} {
			if d := diff(x.cached(rateByJob, start, end, step), x.fresh(rateByJob, start, end, step)); d != "" {
				t.Fatal(d)
			}
		}
	}
	if diff(a.fresh(rateByJob, start, end, step), b.fresh(rateByJob, start, end, step)) == "" {
		t.Fatal("the tenants' answers are the same: the test proves nothing")
	}
	if n := testutil.ToFloat64(a.metrics.Queries.WithLabelValues("hit")); n != 2 {
		t.Errorf("%v hits, want one per tenant", n)
	}
	// The same tenant over another store (reopened): nothing is reused.
	c := newEnv(t, 64<<20)
	c.now = a.now
	c.write(t0, t0.Add(6*time.Hour))
	c.point("x_total", "b", "1", t0.Add(time.Hour+30*time.Minute+10*time.Second), 0)
	c.cache, c.metrics = a.cache, a.metrics
	c.eng = NewEngine(c.split, a.cache, c.st.MetricGenerations(), "tenant-a", nil)
	if d := diff(c.cached(rateByJob, start, end, step), c.fresh(rateByJob, start, end, step)); d != "" {
		t.Fatal(d)
	}
}

// TestCacheBound: the cache stays under MaxBytes, evicting the least
// recently used hours, and answers stay right.
func TestCacheBound(t *testing.T) {
	const maxBytes = 400 << 10 // a query's answer is ≈ 80 KiB
	e := newEnv(t, maxBytes)
	e.now = t0.Add(7 * time.Hour)
	e.write(t0, t0.Add(6*time.Hour))
	for i := range 8 {
		qs := fmt.Sprintf(`sum by (job, pod) (rate(x_total[%dm]))`, i+2)
		for range 2 {
			if d := diff(e.cached(qs, t0, t0.Add(6*time.Hour), time.Minute), e.fresh(qs, t0, t0.Add(6*time.Hour), time.Minute)); d != "" {
				t.Fatalf("%s: %s", qs, d)
			}
			if b := e.cache.Bytes(); b > maxBytes {
				t.Fatalf("cache holds %d bytes", b)
			}
		}
	}
	if n := testutil.ToFloat64(e.metrics.Evictions); n == 0 {
		t.Error("no evictions")
	}
	if n := testutil.ToFloat64(e.metrics.Bytes); n != float64(e.cache.Bytes()) || n == 0 {
		t.Errorf("bytes gauge %v, cache %d", n, e.cache.Bytes())
	}
}

// TestCacheRandomized: random range queries interleaved with late writes
// into random old hours; every cached answer equals the uncached path's,
// so it changes exactly when the data it reads changed.
func TestCacheRandomized(t *testing.T) {
	e := newEnv(t, 64<<20)
	e.write(t0, t0.Add(6*time.Hour))
	rng := rand.New(rand.NewPCG(10, 10))
	queries := []string{rateByJob, `x_total`, `max_over_time(g[10m:1m])`, `g offset 7m`, `increase(x_total{job="b"}[90s]) > 10`,
		`avg by (pod) (g) - on(pod) group_left avg by (pod) (g offset 1h)`, `count_over_time(x_total[30m])`, `timestamp(g)`}
	var changed, hits, writes int
	prev := map[string]answer{}
	for i := range 60 {
		qs := queries[rng.IntN(len(queries))]
		step := []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute}[rng.IntN(3)]
		start := t0.Add(time.Duration(rng.IntN(4)) * 30 * time.Minute)
		end := start.Add(time.Duration(2+rng.IntN(5)) * time.Hour)
		e.now = t0.Add(time.Duration(4*60+rng.IntN(4*60)) * time.Minute)
		c0 := e.counts()
		got, want := e.cached(qs, start, end, step), e.fresh(qs, start, end, step)
		if d := diff(got, want); d != "" {
			t.Fatalf("query %d %s [%v, %v] step %v: %s", i, qs, start, end, step, d)
		}
		if c := e.counts().sub(c0); c.hit+c.partial > 0 {
			hits++
		}
		key := fmt.Sprint(qs, start, end, step)
		if p, ok := prev[key]; ok && diff(p, got) != "" {
			changed++
		}
		prev[key] = got
		if rng.IntN(3) == 0 {
			writes++
			at := t0.Add(time.Duration(rng.IntN(6*3600)) * time.Second)
			job, pod := []string{"a", "b", "c"}[rng.IntN(3)], fmt.Sprint(rng.IntN(5))
			if rng.IntN(2) == 0 {
				e.point("x_total", job, pod, at, float64(rng.IntN(1000)))
			} else {
				e.point("g", job, pod, at, rng.NormFloat64())
			}
		}
	}
	if hits < 10 || changed == 0 || writes == 0 {
		t.Errorf("%d queries used the cache, %d repeated answers changed after %d writes: the test proves too little", hits, changed, writes)
	}
	t.Logf("%d of 60 queries used the cache; %d repeated answers changed after %d late writes", hits, changed, writes)
}

// TestCacheFailure: when the evaluation of the missing steps fails, the
// whole query is evaluated for the engine's own error, and nothing of a
// failed evaluation is stored.
func TestCacheFailure(t *testing.T) {
	e := newEnv(t, 64<<20)
	e.write(t0, t0.Add(6*time.Hour))
	start, end, step := t0, t0.Add(6*time.Hour), time.Minute
	e.cached(rateByJob, start, end, step) // hours 0–4 cached; now is 5:30
	e.q.failFrom = t0.Add(5 * time.Hour).UnixMilli()
	got, want := e.cached(rateByJob, start, end, step), e.fresh(rateByJob, start, end, step)
	if got.err == nil || diff(got, want) != "" {
		t.Fatalf("with a failing store: %v / %v", got.err, want.err)
	}
	e.q.failFrom = 0
	e.now = t0.Add(8 * time.Hour)
	e.q.failFrom = t0.Add(3 * time.Hour).UnixMilli() // now reads of hours 3 on fail
	if a := e.cached(rateByJob, start, end, step); a.err == nil {
		t.Fatal("no error")
	}
	e.q.failFrom = 0
	c0 := e.counts()
	if d := diff(e.cached(rateByJob, start, end, step), e.fresh(rateByJob, start, end, step)); d != "" {
		t.Fatal(d)
	}
	// Hours 0–4 were cached by the first query; 5 and 6 never succeeded.
	if c := e.counts().sub(c0); c.partial != 1 || c.evaluatedSteps != 61 {
		t.Errorf("%+v: want the 61 steps of hours 5 and 6 evaluated", c)
	}
}
