package overrides

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// TestSeriesCap: with max 3, the 4th series is refused, the first 3 keep
// flowing; an hour without points frees a series' place (within the
// sweep interval).
func TestSeriesCap(t *testing.T) {
	type step struct {
		advance time.Duration
		fp      uint64
		want    bool
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"cap", []step{
			{0, 1, true}, {0, 2, true}, {0, 3, true},
			{0, 4, false},                            // new, over the cap
			{0, 1, true}, {0, 2, true}, {0, 3, true}, // existing keep flowing
			{time.Minute, 4, false}, // still refused
		}},
		{"expiry", []step{
			{0, 1, true}, {0, 2, true}, {0, 3, true},
			{30 * time.Minute, 1, true}, // 1 stays active
			{30 * time.Minute, 4, true}, // 2 and 3 inactive for an hour: 4 takes a place
			{0, 5, true},                // and 5 the other
			{0, 6, false},               // full again (1, 4, 5)
			{0, 2, false},               // 2 came back: it is new
		}},
		{"expired series in a full set is new", []step{
			{0, 1, true}, {0, 2, true}, {0, 3, true},
			{ActiveWindow - time.Second, 2, true}, // refreshes 2
			{time.Second, 1, true},                // 1 inactive: deleted, then re-admitted (2 of 3 places used)
		}},
		{"sweep at most once a minute", []step{
			{0, 1, true}, {0, 2, true}, {0, 3, true},
			{0, 9, false},           // sweeps now: nothing expired
			{ActiveWindow, 4, true}, // a minute later: sweep frees 1, 2, 3
			{0, 5, true}, {0, 6, true},
			{ActiveWindow - 30*time.Second, 7, false}, // 4, 5, 6 still active
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			l := New(Config{Defaults: Limits{MaxActiveSeries: 3}}, Options{Now: c.now})
			for i, s := range tc.steps {
				c.advance(s.advance)
				a := l.Series("t")
				if got := a.Admit(s.fp); got != s.want {
					t.Fatalf("step %d: Admit(%d) = %v, want %v", i, s.fp, got, s.want)
				}
				a.Done()
			}
		})
	}
}

// gauge builds metrics with one gauge point per series name "s<i>".
func gauge(n int, attr string) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "svc")
	ms := rm.ScopeMetrics().AppendEmpty().Metrics()
	for i := range n {
		m := ms.AppendEmpty()
		m.SetName("m")
		p := m.SetEmptyGauge().DataPoints().AppendEmpty()
		p.Attributes().PutStr(attr, fmt.Sprint(i))
		p.SetDoubleValue(1)
	}
	return md
}

// TestFilterSeries: points of new series past the cap are removed from the
// batch (and their emptied metrics), points of admitted series stay, the
// refusal says how many and is counted.
func TestFilterSeries(t *testing.T) {
	c := newClock()
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r"}, []string{"tenant", "signal", "reason"})
	l := New(Config{Defaults: Limits{MaxActiveSeries: 5}, Tenants: map[string]Limits{"big": {MaxActiveSeries: -1}}},
		Options{Now: c.now, Refused: refused})
	md := gauge(3, "k")
	if err := l.FilterSeries("t", md); err != nil || md.DataPointCount() != 3 {
		t.Fatalf("first 3: %v, %d points left", err, md.DataPointCount())
	}
	md = gauge(8, "k") // 3 known + 5 new: 2 of the new admitted
	err := l.FilterSeries("t", md)
	if err == nil || err.Points != 3 || err.Series != 3 || err.Max != 5 {
		t.Fatalf("refusal %+v", err)
	}
	if md.DataPointCount() != 5 || md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().Len() != 5 {
		t.Fatalf("%d points / %d metrics left, want 5 / 5", md.DataPointCount(), md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().Len())
	}
	if !strings.Contains(err.Error(), "extensions::overlook::multitenancy::overrides::defaults::max_active_series") {
		t.Errorf("message does not name the key: %v", err)
	}
	if got := testutil.ToFloat64(refused.WithLabelValues("t", "metrics", ReasonMaxSeries)); got != 3 {
		t.Errorf("refused max_series %v, want 3", got)
	}
	// The same attributes under another key, a counter instead of a gauge,
	// or another service are other series.
	md = gauge(1, "other")
	var e *SeriesLimitError
	if err := l.FilterSeries("t", md); !errors.As(error(err), &e) || md.DataPointCount() != 0 {
		t.Fatalf("another key: %v, %d left", err, md.DataPointCount())
	}
	if err := l.FilterSeries("big", gauge(100, "k")); err != nil {
		t.Fatalf("no cap for big: %v", err)
	}
	if err := l.FilterSeries("u", gauge(5, "k")); err != nil {
		t.Fatalf("u has its own series: %v", err)
	}
}

// TestFilterSeriesIdentity: the series identity includes what the store's
// fingerprint does, so a sum and a gauge of the same name and attributes
// are two series, and attribute order does not matter.
func TestFilterSeriesIdentity(t *testing.T) {
	l := New(Config{Defaults: Limits{MaxActiveSeries: 1}}, Options{Now: newClock().now})
	mk := func(sum bool, keys ...string) pmetric.Metrics {
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("x")
		var p pmetric.NumberDataPoint
		if sum {
			p = m.SetEmptySum().DataPoints().AppendEmpty()
		} else {
			p = m.SetEmptyGauge().DataPoints().AppendEmpty()
		}
		for _, k := range keys {
			p.Attributes().PutStr(k, "v")
		}
		return md
	}
	if err := l.FilterSeries("t", mk(false, "a", "b")); err != nil {
		t.Fatal(err)
	}
	if err := l.FilterSeries("t", mk(false, "b", "a")); err != nil {
		t.Fatalf("same series in another order: %v", err)
	}
	if err := l.FilterSeries("t", mk(true, "a", "b")); err == nil {
		t.Fatal("a sum is another series")
	}
}
