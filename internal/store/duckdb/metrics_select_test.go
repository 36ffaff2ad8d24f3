package duckdb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

var t0 = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func openMetricStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// sampleMetrics has one metric of every kind, two series of the gauge.
func sampleMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "api")
	rm.Resource().Attributes().PutStr("service.instance.id", "host:9090")
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("lib")
	ms := sm.Metrics()
	ts := func(i int) pcommon.Timestamp {
		return pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * 15 * time.Second))
	}

	g := ms.AppendEmpty()
	g.SetName("temperature")
	g.SetUnit("Cel")
	gd := g.SetEmptyGauge().DataPoints()
	for _, room := range []string{"a", "b"} {
		for i := range 3 {
			dp := gd.AppendEmpty()
			dp.Attributes().PutStr("room", room)
			dp.SetTimestamp(ts(i))
			dp.SetDoubleValue(float64(i) + 0.5)
		}
	}
	stale := gd.AppendEmpty()
	stale.Attributes().PutStr("room", "a")
	stale.SetTimestamp(ts(3))
	stale.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	stale.SetDoubleValue(math.NaN())

	s := ms.AppendEmpty()
	s.SetName("requests")
	sum := s.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for i := range 3 {
		dp := sum.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(ts(0))
		dp.SetTimestamp(ts(2 - i)) // out of order on purpose
		dp.SetIntValue(int64(10 * (2 - i)))
	}

	h := ms.AppendEmpty()
	h.SetName("latency")
	h.SetUnit("s")
	hd := h.SetEmptyHistogram()
	hd.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	hp := hd.DataPoints().AppendEmpty()
	hp.SetTimestamp(ts(1))
	hp.SetCount(6)
	hp.SetSum(3.5)
	hp.ExplicitBounds().FromRaw([]float64{0.1, 1})
	hp.BucketCounts().FromRaw([]uint64{1, 2, 3})

	e := ms.AppendEmpty()
	e.SetName("size")
	ed := e.SetEmptyExponentialHistogram()
	ed.SetAggregationTemporality(pmetric.AggregationTemporalityDelta)
	ep := ed.DataPoints().AppendEmpty()
	ep.SetTimestamp(ts(1))
	ep.SetCount(4)
	ep.SetSum(10)
	ep.SetScale(2)
	ep.SetZeroCount(1)
	ep.Positive().SetOffset(-1)
	ep.Positive().BucketCounts().FromRaw([]uint64{1, 2})

	q := ms.AppendEmpty()
	q.SetName("rpc")
	qp := q.SetEmptySummary().DataPoints().AppendEmpty()
	qp.SetTimestamp(ts(2))
	qp.SetCount(3)
	qp.SetSum(9)
	for i, v := range []float64{0.5, 0.9} {
		qv := qp.QuantileValues().AppendEmpty()
		qv.SetQuantile(v)
		qv.SetValue(float64(i + 1))
	}
	return md
}

func TestSelectMetrics(t *testing.T) {
	s := openMetricStore(t)
	ctx := context.Background()
	if err := s.InsertMetrics(ctx, sampleMetrics()); err != nil {
		t.Fatal(err)
	}
	start, end := t0.Add(-time.Minute), t0.Add(time.Hour)

	infos, err := s.MetricInfos(ctx, start, end)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(infos, func(a, b store.MetricInfo) int { return int(a.Kind) - int(b.Kind) })
	for i := range infos {
		if infos[i].ScopeName != "lib" {
			t.Errorf("ScopeName of %s = %q", infos[i].Name, infos[i].ScopeName)
		}
		infos[i].ScopeName = ""
	}
	wantInfos := []store.MetricInfo{
		{Kind: store.MetricGauge, Name: "temperature", Unit: "Cel"},
		{Kind: store.MetricSum, Name: "requests", IsMonotonic: true, Temporality: 2},
		{Kind: store.MetricHistogram, Name: "latency", Unit: "s", Temporality: 2},
		{Kind: store.MetricExpHistogram, Name: "size", Temporality: 1},
		{Kind: store.MetricSummary, Name: "rpc"},
	}
	if !reflect.DeepEqual(infos, wantInfos) {
		t.Fatalf("MetricInfos = %+v\nwant %+v", infos, wantInfos)
	}
	if got, _ := s.MetricInfos(ctx, t0.Add(time.Hour), t0.Add(2*time.Hour)); len(got) != 0 {
		t.Errorf("MetricInfos outside the range = %v", got)
	}

	tests := []struct {
		name  string
		p     store.MetricSelectParams
		check func(t *testing.T, got []store.MetricSeries)
	}{
		{"gauge two series", store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"}}, func(t *testing.T, got []store.MetricSeries) {
			if len(got) != 2 {
				t.Fatalf("got %d series", len(got))
			}
			slices.SortFunc(got, func(a, b store.MetricSeries) int { return len(b.Times) - len(a.Times) })
			a := got[0]
			if a.Attributes["room"] != "a" || a.ServiceName != "api" || a.ResourceAttributes["service.instance.id"] != "host:9090" || a.Info.Unit != "Cel" {
				t.Errorf("series a = %+v", a)
			}
			if len(a.Times) != 4 || a.Values[1] != 1.5 || a.Flags[3]&1 != 1 || !math.IsNaN(a.Values[3]) {
				t.Errorf("points of a = %v %v %v", a.Times, a.Values, a.Flags)
			}
		}},
		{"all names, no name filter", store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"}, AllNames: true},
			func(t *testing.T, got []store.MetricSeries) {
				if len(got) != 2 || got[0].Info.Name != "temperature" || got[1].Info.Name != "temperature" ||
					len(got[0].Times)+len(got[1].Times) != 7 {
					t.Fatalf("got %+v", got)
				}
			}},
		{"all names, filtered", store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"}, AllNames: true,
			Filters: []store.MetricFilter{{Column: "Attributes", Value: "b"}}}, func(t *testing.T, got []store.MetricSeries) {
			if len(got) != 1 || got[0].Attributes["room"] != "b" {
				t.Fatalf("got %+v", got)
			}
		}},
		{"filter on attribute value", store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"},
			Filters: []store.MetricFilter{{Column: "Attributes", Value: "b"}}}, func(t *testing.T, got []store.MetricSeries) {
			if len(got) != 1 || got[0].Attributes["room"] != "b" {
				t.Fatalf("got %+v", got)
			}
		}},
		{"filter regex on key", store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"},
			Filters: []store.MetricFilter{{Column: "Attributes", Key: "room", Value: "a|c", Regex: true},
				{Column: "ServiceName", Value: "api"}, {Column: "ResourceAttributes", Key: "service.instance.id", Value: "host:9090"}}},
			func(t *testing.T, got []store.MetricSeries) {
				if len(got) != 1 || got[0].Attributes["room"] != "a" {
					t.Fatalf("got %+v", got)
				}
			}},
		{"filter regex any value", store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"},
			Filters: []store.MetricFilter{{Column: "Attributes", Value: "[bc]", Regex: true}}}, func(t *testing.T, got []store.MetricSeries) {
			if len(got) != 1 || got[0].Attributes["room"] != "b" {
				t.Fatalf("got %+v", got)
			}
		}},
		{"time range inclusive", store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"},
			Start: t0.Add(15 * time.Second), End: t0.Add(30 * time.Second)}, func(t *testing.T, got []store.MetricSeries) {
			for _, ms := range got {
				if len(ms.Times) != 2 {
					t.Errorf("points %v", ms.Times)
				}
			}
		}},
		{"series only", store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"}, SeriesOnly: true}, func(t *testing.T, got []store.MetricSeries) {
			if len(got) != 2 {
				t.Fatalf("got %d series", len(got))
			}
			for _, ms := range got {
				if len(ms.Times) != 1 || ms.Times[0] != t0.UnixNano() || ms.Attributes["room"] == "" || ms.Info.Name != "temperature" {
					t.Errorf("series %+v", ms)
				}
			}
		}},
		{"sum sorted", store.MetricSelectParams{Kind: store.MetricSum, Names: []string{"requests"}}, func(t *testing.T, got []store.MetricSeries) {
			if len(got) != 1 || !got[0].Info.IsMonotonic || got[0].Info.Temporality != 2 {
				t.Fatalf("got %+v", got)
			}
			if !reflect.DeepEqual(got[0].Values, []float64{0, 10, 20}) || !slices.IsSorted(got[0].Times) ||
				got[0].StartTimes[0] != t0.UnixNano() {
				t.Errorf("points %v %v %v", got[0].Times, got[0].Values, got[0].StartTimes)
			}
		}},
		{"histogram", store.MetricSelectParams{Kind: store.MetricHistogram, Names: []string{"latency"}}, func(t *testing.T, got []store.MetricSeries) {
			want := store.HistogramPoint{Count: 6, Sum: 3.5, Bounds: []float64{0.1, 1}, Buckets: []uint64{1, 2, 3}}
			if len(got) != 1 || !reflect.DeepEqual(got[0].Histograms, []store.HistogramPoint{want}) {
				t.Fatalf("got %+v", got)
			}
		}},
		{"exponential histogram", store.MetricSelectParams{Kind: store.MetricExpHistogram, Names: []string{"size"}}, func(t *testing.T, got []store.MetricSeries) {
			want := store.HistogramPoint{Count: 4, Sum: 10, Scale: 2, ZeroCount: 1, PositiveOffset: -1, Positive: []uint64{1, 2}}
			if len(got) != 1 || !reflect.DeepEqual(got[0].Histograms, []store.HistogramPoint{want}) {
				t.Fatalf("got %+v", got)
			}
		}},
		{"summary", store.MetricSelectParams{Kind: store.MetricSummary, Names: []string{"rpc"}}, func(t *testing.T, got []store.MetricSeries) {
			want := store.HistogramPoint{Count: 3, Sum: 9, Quantiles: []float64{0.5, 0.9}, QuantileValues: []float64{1, 2}}
			if len(got) != 1 || !reflect.DeepEqual(got[0].Histograms, []store.HistogramPoint{want}) {
				t.Fatalf("got %+v", got)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.p.Start.IsZero() {
				tc.p.Start, tc.p.End = start, end
			}
			got, err := s.SelectMetrics(ctx, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, got)
		})
	}

	if _, err := s.SelectMetrics(ctx, store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"},
		Start: start, End: end, MaxPoints: 3}); !errors.Is(err, store.ErrTooManyPoints) {
		t.Errorf("MaxPoints: err = %v", err)
	}
	for _, p := range []store.MetricSelectParams{
		{Kind: store.MetricGauge, Start: start, End: end},
		{Kind: store.MetricGauge, Names: []string{"x"}},
		{Kind: 99, Names: []string{"x"}, Start: start, End: end},
		{Kind: store.MetricGauge, Names: []string{"x"}, Start: start, End: end, Filters: []store.MetricFilter{{Column: "Body"}}},
	} {
		if _, err := s.SelectMetrics(ctx, p); !errors.Is(err, store.ErrInvalidArgument) {
			t.Errorf("SelectMetrics(%+v): err = %v, want invalid argument", p, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.SelectMetrics(cctx, store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"},
		Start: start, End: end}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

// BenchmarkSelectMetrics reads 24 h of 1000 gauge series scraped every
// 15 s (5.76M points), the shape of the PromQL benchmark.
//
//	go test ./internal/store/duckdb -run '^$' -bench SelectMetrics -benchtime 3x
func BenchmarkSelectMetrics(b *testing.B) {
	s := openMetricStore(b)
	ctx := context.Background()
	const series, step = 1000, 15 * time.Second
	points := int(24 * time.Hour / step)
	for c := 0; c < points; c += 240 {
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "bench")
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("x")
		dps := m.SetEmptyGauge().DataPoints()
		for i := c; i < min(c+240, points); i++ {
			for k := range series {
				dp := dps.AppendEmpty()
				dp.Attributes().PutStr("instance", fmt.Sprintf("host-%d:9100", k))
				dp.Attributes().PutStr("job", fmt.Sprintf("job-%d", k%10))
				dp.SetTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Duration(i) * step)))
				dp.SetDoubleValue(float64(i))
			}
		}
		if err := s.InsertMetrics(ctx, md); err != nil {
			b.Fatal(err)
		}
	}
	// Fold the WAL in now, so the background checkpoint does not run
	// during the measurement.
	if _, err := s.db.Exec("CHECKPOINT"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op") }()
	for range b.N {
		got, err := s.SelectMetrics(ctx, store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"x"},
			Start: t0, End: t0.Add(24 * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != series || len(got[0].Times) != points {
			b.Fatalf("got %d series, %d points", len(got), len(got[0].Times))
		}
	}
}
