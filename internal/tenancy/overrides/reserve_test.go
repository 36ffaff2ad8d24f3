package overrides

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestReserve: a request of several tenants' (or signals') items is
// admitted as a whole or not at all. Each case reserves wants and then
// checks, per tenant, how many spans its bucket still lets through (each
// bucket: 10/s, burst 20; tenant "b" has a burst of 5; the clock is
// frozen, so nothing is earned in between).
func TestReserve(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before map[string]int // spans taken per tenant before the request
		wants  []Want
		cancel bool   // Cancel the reservation afterwards
		err    string // "" (admitted), "rate" or "large"
		tenant string // the tenant the error names
		left   map[string]int
	}{
		{name: "both fit", wants: []Want{{"a", Spans, 8}, {"c", Spans, 3}},
			left: map[string]int{"a": 12, "c": 17}},
		{name: "one tenant over its rate refuses the whole request", before: map[string]int{"c": 18},
			wants: []Want{{"a", Spans, 8}, {"c", Spans, 3}}, err: "rate", tenant: "c",
			left: map[string]int{"a": 20, "c": 2}},
		{name: "a part over its burst is the error, not the rate", before: map[string]int{"a": 20},
			wants: []Want{{"a", Spans, 1}, {"b", Spans, 6}}, err: "large", tenant: "b",
			left: map[string]int{"a": 0, "b": 5}},
		{name: "wants of one tenant and signal add up", wants: []Want{{"a", Spans, 12}, {"a", Spans, 9}},
			err: "large", tenant: "a", left: map[string]int{"a": 20}},
		{name: "signals are separate buckets", wants: []Want{{"a", Spans, 20}, {"a", Logs, 20}},
			left: map[string]int{"a": 0}},
		{name: "cancel gives the tokens back", before: map[string]int{"a": 5},
			wants: []Want{{"a", Spans, 10}, {"c", Spans, 20}}, cancel: true,
			left: map[string]int{"a": 15, "c": 20}},
		{name: "empty wants take nothing", wants: []Want{{"a", Spans, 0}}, left: map[string]int{"a": 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r"}, []string{"tenant", "signal", "reason"})
			in := Ingestion{SpansPerSecond: 10, SpansBurst: 20, LogsPerSecond: 10, LogsBurst: 20}
			l := New(Config{Defaults: Limits{Ingestion: in},
				Tenants: map[string]Limits{"b": {Ingestion: Ingestion{SpansPerSecond: 1, SpansBurst: 5}}}},
				Options{Now: c.now, Refused: refused})
			for tenant, n := range tc.before {
				if err := l.Allow(tenant, Spans, n); err != nil {
					t.Fatal(err)
				}
			}
			res, err := l.Reserve(tc.wants...)
			var rl *RateLimitedError
			var bl *BatchTooLargeError
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err == "rate" && !(errors.As(err, &rl) && rl.Tenant == tc.tenant):
				t.Fatalf("err %v, want tenant %q over its rate", err, tc.tenant)
			case tc.err == "large" && !(errors.As(err, &bl) && bl.Tenant == tc.tenant):
				t.Fatalf("err %v, want tenant %q's batch over its burst", err, tc.tenant)
			case err != nil && res != nil:
				t.Fatal("a refusal returned a reservation")
			}
			if tc.cancel {
				res.Cancel()
				res.Cancel() // twice gives nothing more
			}
			for tenant, want := range tc.left {
				if err := l.Allow(tenant, Spans, want); err != nil && want > 0 {
					t.Errorf("tenant %s: %d spans refused, want them left: %v", tenant, want, err)
				}
				if err := l.Allow(tenant, Spans, 1); err == nil {
					t.Errorf("tenant %s: more than %d spans left", tenant, want)
				}
			}
			if tc.err != "" {
				reason := map[string]string{"rate": ReasonRateLimited, "large": ReasonBatchSize}[tc.err]
				var items int
				for _, w := range tc.wants {
					if w.Tenant == tc.tenant {
						items += w.N
					}
				}
				if got := testutil.ToFloat64(refused.WithLabelValues(tc.tenant, "traces", reason)); got < float64(items) {
					t.Errorf("refused{%s,%s} = %v, want at least %d", tc.tenant, reason, got, items)
				}
			}
		})
	}
}

// TestCancelCappedAtBurst: tokens given back after the bucket refilled
// never take it past its burst.
func TestCancelCappedAtBurst(t *testing.T) {
	c := newClock()
	l := New(Config{Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: 10, SpansBurst: 20}}}, Options{Now: c.now})
	res, err := l.Reserve(Want{"a", Spans, 20})
	if err != nil {
		t.Fatal(err)
	}
	c.advance(time.Minute) // full again
	res.Cancel()
	if err := l.Allow("a", Spans, 20); err != nil {
		t.Fatal(err)
	}
	if err := l.Allow("a", Spans, 1); err == nil {
		t.Error("the bucket held more than its burst after Cancel")
	}
}
