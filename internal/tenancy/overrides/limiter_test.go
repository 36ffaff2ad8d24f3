package overrides

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// clock is a settable time for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *clock { return &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)} }

// TestAllow: a bucket of 10/s with burst 20, driven by an injected clock.
// Each step is one Allow call; want is "ok", "rate" (retry after the given
// delay) or "large" (over the burst, never passes).
func TestAllow(t *testing.T) {
	type step struct {
		advance time.Duration
		n       int
		want    string
		retry   time.Duration
	}
	for _, tc := range []struct {
		name  string
		in    Ingestion
		steps []step
	}{
		{"burst then refill", Ingestion{SpansPerSecond: 10, SpansBurst: 20}, []step{
			{0, 20, "ok", 0},                     // the full burst
			{0, 1, "rate", time.Second},          // empty: 0.1 s rounds up to 1 s
			{500 * time.Millisecond, 5, "ok", 0}, // 5 tokens earned
			{0, 10, "rate", time.Second},         // needs 1 s of refill
			{time.Second, 10, "ok", 0},           // exactly earned
			{10 * time.Second, 20, "ok", 0},      // capped at the burst, not 100
			{0, 15, "rate", 2 * time.Second},     // 1.5 s → 2 s
			{0, 21, "large", 0},                  // never fits
			{2 * time.Second, 20, "ok", 0},       // the refusals took nothing
		}},
		{"burst defaults to the rate", Ingestion{SpansPerSecond: 2.5}, []step{
			{0, 3, "ok", 0},
			{0, 4, "large", 0},
			{0, 1, "rate", time.Second},
		}},
		{"slow rate bounded", Ingestion{SpansPerSecond: 0.01, SpansBurst: 5}, []step{
			{0, 5, "ok", 0},
			{0, 5, "rate", MaxRetryAfter}, // 500 s, bounded
		}},
		{"no rate", Ingestion{LogsPerSecond: 1}, []step{
			{0, 1_000_000, "ok", 0},
		}},
		{"clock backwards earns nothing", Ingestion{SpansPerSecond: 1, SpansBurst: 2}, []step{
			{0, 2, "ok", 0},
			{-time.Hour, 1, "rate", time.Second},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			l := New(Config{Defaults: Limits{Ingestion: tc.in}}, Options{Now: c.now})
			for i, s := range tc.steps {
				c.advance(s.advance)
				err := l.Allow("default", Spans, s.n)
				var rl *RateLimitedError
				var tl *BatchTooLargeError
				got := "ok"
				switch {
				case errors.As(err, &rl):
					got = "rate"
					if rl.RetryAfter != s.retry {
						t.Errorf("step %d: retry after %s, want %s", i, rl.RetryAfter, s.retry)
					}
				case errors.As(err, &tl):
					got = "large"
				case err != nil:
					t.Fatalf("step %d: %v", i, err)
				}
				if got != s.want {
					t.Fatalf("step %d: Allow(%d) = %q (%v), want %q", i, s.n, got, err, s.want)
				}
			}
		})
	}
}

// TestAllowPerTenant: tenants have their own buckets, overrides apply, and
// the refusals are counted per tenant, signal and reason; messages name the
// key to raise.
func TestAllowPerTenant(t *testing.T) {
	c := newClock()
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r"}, []string{"tenant", "signal", "reason"})
	l := New(Config{
		Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: 10, SpansBurst: 10, SamplesPerSecond: 5, SamplesBurst: 5}},
		Tenants:  map[string]Limits{"big": {Ingestion: Ingestion{SpansPerSecond: 100, SpansBurst: 100}}, "free": {Ingestion: Ingestion{SpansPerSecond: -1}}},
	}, Options{Now: c.now, Refused: refused})
	if err := l.Allow("a", Spans, 10); err != nil {
		t.Fatal(err)
	}
	err := l.Allow("a", Spans, 1)
	if err == nil || !strings.Contains(err.Error(), "multitenancy::overrides::defaults::ingestion::spans_per_second") {
		t.Fatalf("a's 11th span: %v", err)
	}
	if err := l.Allow("b", Spans, 10); err != nil {
		t.Fatalf("b has its own bucket: %v", err)
	}
	if err := l.Allow("big", Spans, 100); err != nil {
		t.Fatalf("big's override: %v", err)
	}
	err = l.Allow("big", Spans, 101)
	if err == nil || !strings.Contains(err.Error(), "multitenancy::overrides::tenants::big::ingestion::spans_burst") {
		t.Fatalf("big's 101: %v", err)
	}
	if err := l.Allow("free", Spans, 1_000_000); err != nil {
		t.Fatalf("free has no limit: %v", err)
	}
	if err := l.Allow("a", Logs, 1_000_000); err != nil {
		t.Fatalf("logs have no limit: %v", err)
	}
	_ = l.Allow("a", Samples, 6)
	for _, w := range []struct {
		tenant, signal, reason string
		n                      float64
	}{
		{"a", "traces", ReasonRateLimited, 1},
		{"big", "traces", ReasonBatchSize, 101},
		{"a", "metrics", ReasonBatchSize, 6},
		{"b", "traces", ReasonRateLimited, 0},
	} {
		if got := testutil.ToFloat64(refused.WithLabelValues(w.tenant, w.signal, w.reason)); got != w.n {
			t.Errorf("refused{%s,%s,%s} = %v, want %v", w.tenant, w.signal, w.reason, got, w.n)
		}
	}
}

// TestForgetIdleTenants: a tenant whose buckets are full again is
// forgotten (memory stays bounded by recent writers) without changing what
// it may send.
func TestForgetIdleTenants(t *testing.T) {
	c := newClock()
	l := New(Config{Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: 1, SpansBurst: 1000}}}, Options{Now: c.now})
	for i := range 100 {
		_ = l.Allow(string(rune('a'+i%26))+"x", Spans, 1)
	}
	_ = l.Allow("busy", Spans, 1000)
	c.advance(forgetEvery)
	_ = l.Allow("busy", Spans, 0) // n 0: no state touched
	_ = l.Allow("new", Spans, 1)
	if len(l.tenants) != 2 { // busy (bucket not full yet) and new
		t.Fatalf("%d tenant states after the sweep, want 2 (busy, new)", len(l.tenants))
	}
	if err := l.Allow("busy", Spans, 301); err == nil {
		t.Fatal("busy's bucket was forgotten while not full")
	}
}

func TestNilLimiter(t *testing.T) {
	var l *Limiter
	if err := l.Allow("x", Spans, 1<<30); err != nil {
		t.Fatal(err)
	}
	if err := l.Series("x").Done(); err != nil {
		t.Fatal(err)
	}
}
