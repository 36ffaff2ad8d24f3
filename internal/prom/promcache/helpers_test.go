package promcache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/prom/promsplit"
	"github.com/overlook-dev/overlook/internal/prom/promstorage"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// t0 is the start of the test data: 6 hours of it.
var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// env is a DuckDB store with the API's engine path over it: promsplit
// (uncached, the reference) and an Engine with a Cache.
type env struct {
	t       *testing.T
	st      *duckdb.Store
	q       *selectLog
	ng      *promql.Engine
	split   *promsplit.Engine
	cache   *Cache
	eng     *Engine
	metrics *telemetry.PromQLCacheMetrics
	now     time.Time
}

func newEnv(t *testing.T, maxBytes int64) *env {
	t.Helper()
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e := &env{t: t, st: st, now: t0.Add(5*time.Hour + 30*time.Minute), metrics: telemetry.New().PromQLCache}
	e.ng = promql.NewEngine(promql.EngineOpts{
		Logger: slog.New(slog.DiscardHandler), MaxSamples: 50_000_000, Timeout: time.Minute,
		LookbackDelta: 5 * time.Minute, EnableAtModifier: true, EnableNegativeOffset: true,
		NoStepSubqueryIntervalFn: func(int64) int64 { return time.Minute.Milliseconds() },
	})
	t.Cleanup(func() { _ = e.ng.Close() })
	e.q = &selectLog{next: promstorage.NewQueryable(st, promstorage.Options{})}
	e.split = promsplit.New(e.ng, promsplit.Options{MaxParts: 2, MinStepsPerPart: 2})
	e.cache = New(Options{MaxBytes: maxBytes, Metrics: e.metrics, Now: func() time.Time { return e.now }})
	e.eng = NewEngine(e.split, e.cache, st.MetricGenerations(), "tenant-a", nil)
	return e
}

// write stores counter x_total (jobs a, b, c × pods 0–3, every 30 s, each
// pod's own slope) and gauge g over [from, to).
func (e *env) write(from, to time.Time) {
	e.t.Helper()
	md := pmetric.NewMetrics()
	for _, job := range []string{"a", "b", "c"} {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", job)
		sm := rm.ScopeMetrics().AppendEmpty()
		for pod := range 4 {
			m := sm.Metrics().AppendEmpty()
			m.SetName("x_total")
			s := m.SetEmptySum()
			s.SetIsMonotonic(true)
			s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			g := sm.Metrics().AppendEmpty()
			g.SetName("g")
			gg := g.SetEmptyGauge()
			for ts := from; ts.Before(to); ts = ts.Add(30 * time.Second) {
				i := float64(ts.Sub(t0) / (30 * time.Second))
				dp := s.DataPoints().AppendEmpty()
				dp.Attributes().PutStr("pod", fmt.Sprint(pod))
				dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
				dp.SetDoubleValue(i * float64(pod+1+len(job)))
				gp := gg.DataPoints().AppendEmpty()
				gp.Attributes().PutStr("pod", fmt.Sprint(pod))
				gp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
				gp.SetDoubleValue(math.Sin(i/7) * float64(pod+1))
			}
		}
	}
	e.insert(md)
}

func (e *env) insert(md pmetric.Metrics) {
	e.t.Helper()
	if err := e.st.InsertMetrics(context.Background(), md); err != nil {
		e.t.Fatal(err)
	}
}

// point stores one sample of series (metric, job, pod) at ts.
func (e *env) point(metric, job, pod string, ts time.Time, v float64) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", job)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(metric)
	var dp pmetric.NumberDataPoint
	if strings.HasSuffix(metric, "_total") {
		s := m.SetEmptySum()
		s.SetIsMonotonic(true)
		s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dp = s.DataPoints().AppendEmpty()
	} else {
		dp = m.SetEmptyGauge().DataPoints().AppendEmpty()
	}
	dp.Attributes().PutStr("pod", pod)
	dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	dp.SetDoubleValue(v)
	e.insert(md)
}

// answer is a range query's result, copied out of the engine's memory.
type answer struct {
	mat   promql.Matrix
	warns []string
	err   error
}

func run(t *testing.T, ng RangeEngine, q storage.Queryable, opts promql.QueryOpts, qs string, start, end time.Time, step time.Duration) answer {
	t.Helper()
	qry, err := ng.NewRangeQuery(context.Background(), q, opts, qs, start, end, step)
	if err != nil {
		t.Fatalf("%s: %v", qs, err)
	}
	defer qry.Close()
	res := qry.Exec(context.Background())
	a := answer{err: res.Err}
	w, i := res.Warnings.AsStrings(qs, 0, 0)
	a.warns = append(w, i...)
	if m, ok := res.Value.(promql.Matrix); ok {
		for _, s := range m {
			c := promql.Series{Metric: s.Metric, DropName: s.DropName}
			c.Floats = append(c.Floats, s.Floats...)
			for _, h := range s.Histograms {
				c.Histograms = append(c.Histograms, promql.HPoint{T: h.T, H: h.H.Copy()})
			}
			a.mat = append(a.mat, c)
		}
	}
	return a
}

// cached and fresh evaluate through the cache and the reference path.
func (e *env) cached(qs string, start, end time.Time, step time.Duration) answer {
	e.t.Helper()
	return run(e.t, e.eng, e.q, nil, qs, start, end, step)
}

func (e *env) fresh(qs string, start, end time.Time, step time.Duration) answer {
	e.t.Helper()
	return run(e.t, e.split, e.q, nil, qs, start, end, step)
}

// diff describes how two answers differ ("" if they are the same: labels,
// timestamps, values bit for bit, NaN equal to NaN, warnings, errors).
func diff(a, b answer) string {
	if (a.err == nil) != (b.err == nil) || a.err != nil && a.err.Error() != b.err.Error() {
		return fmt.Sprintf("errors %v / %v", a.err, b.err)
	}
	if strings.Join(a.warns, "\n") != strings.Join(b.warns, "\n") {
		return fmt.Sprintf("annotations %q / %q", a.warns, b.warns)
	}
	if len(a.mat) != len(b.mat) {
		return fmt.Sprintf("%d / %d series", len(a.mat), len(b.mat))
	}
	for i := range a.mat {
		x, y := a.mat[i], b.mat[i]
		if !labels.Equal(x.Metric, y.Metric) {
			return fmt.Sprintf("series %d: %s / %s", i, x.Metric, y.Metric)
		}
		if len(x.Floats) != len(y.Floats) || len(x.Histograms) != len(y.Histograms) {
			return fmt.Sprintf("%s: %d+%d / %d+%d points", x.Metric, len(x.Floats), len(x.Histograms), len(y.Floats), len(y.Histograms))
		}
		for j := range x.Floats {
			p, q := x.Floats[j], y.Floats[j]
			if p.T != q.T || math.Float64bits(p.F) != math.Float64bits(q.F) && !(math.IsNaN(p.F) && math.IsNaN(q.F)) {
				return fmt.Sprintf("%s: point %d %v / %v", x.Metric, j, p, q)
			}
		}
		for j := range x.Histograms {
			p, q := x.Histograms[j], y.Histograms[j]
			if p.T != q.T || !p.H.Equals(q.H) {
				return fmt.Sprintf("%s: histogram %d at %d / %d", x.Metric, j, p.T, q.T)
			}
		}
	}
	return ""
}

// counts are the cache's metrics.
type counts struct{ hit, partial, miss, uncacheable, cachedSteps, evaluatedSteps, stale float64 }

func (e *env) counts() counts {
	m := e.metrics
	return counts{
		hit: testutil.ToFloat64(m.Queries.WithLabelValues("hit")), partial: testutil.ToFloat64(m.Queries.WithLabelValues("partial")),
		miss: testutil.ToFloat64(m.Queries.WithLabelValues("miss")), uncacheable: testutil.ToFloat64(m.Queries.WithLabelValues("uncacheable")),
		cachedSteps: testutil.ToFloat64(m.Steps.WithLabelValues("cached")), evaluatedSteps: testutil.ToFloat64(m.Steps.WithLabelValues("evaluated")),
		stale: testutil.ToFloat64(m.Stale),
	}
}

func (c counts) sub(o counts) counts {
	return counts{c.hit - o.hit, c.partial - o.partial, c.miss - o.miss, c.uncacheable - o.uncacheable,
		c.cachedSteps - o.cachedSteps, c.evaluatedSteps - o.evaluatedSteps, c.stale - o.stale}
}

// selectLog is a Queryable that records the earliest time its Selects read.
type selectLog struct {
	next storage.Queryable

	mu      sync.Mutex
	selects int
	minT    int64
	// failFrom, if set, fails every Select reading at or after it.
	failFrom int64
}

func (s *selectLog) reset() {
	s.mu.Lock()
	s.selects, s.minT = 0, math.MaxInt64
	s.mu.Unlock()
}

func (s *selectLog) Querier(mint, maxt int64) (storage.Querier, error) {
	q, err := s.next.Querier(mint, maxt)
	if err != nil {
		return nil, err
	}
	return &loggedQuerier{Querier: q, log: s}, nil
}

type loggedQuerier struct {
	storage.Querier
	log *selectLog
}

func (q *loggedQuerier) Select(ctx context.Context, sorted bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	q.log.mu.Lock()
	q.log.selects++
	if hints != nil {
		q.log.minT = min(q.log.minT, hints.Start)
	}
	fail := q.log.failFrom != 0 && hints != nil && hints.End >= q.log.failFrom
	q.log.mu.Unlock()
	if fail {
		return storage.ErrSeriesSet(errors.New("the store failed"))
	}
	return q.Querier.Select(ctx, sorted, hints, ms...)
}
