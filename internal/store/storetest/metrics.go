package storetest

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

// metricsT0 is the start of the metrics reader fixtures.
var metricsT0 = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// KindsMetrics has one metric of every kind at metricsT0 (every 15 s),
// two series of the gauge: the fixture of the metrics reader cases.
func KindsMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "api")
	rm.Resource().Attributes().PutStr("service.instance.id", "host:9090")
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("lib")
	ms := sm.Metrics()
	ts := func(i int) pcommon.Timestamp {
		return pcommon.NewTimestampFromTime(metricsT0.Add(time.Duration(i) * 15 * time.Second))
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

func testSelectMetrics(t *testing.T, st store.Store) {
	s := st.(store.MetricReader)
	ctx := context.Background()
	if err := st.InsertMetrics(ctx, KindsMetrics()); err != nil {
		t.Fatal(err)
	}
	start, end := metricsT0.Add(-time.Minute), metricsT0.Add(time.Hour)

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
	if got, _ := s.MetricInfos(ctx, metricsT0.Add(time.Hour), metricsT0.Add(2*time.Hour)); len(got) != 0 {
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
			Start: metricsT0.Add(15 * time.Second), End: metricsT0.Add(30 * time.Second)}, func(t *testing.T, got []store.MetricSeries) {
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
				if len(ms.Times) != 1 || ms.Times[0] != metricsT0.UnixNano() || ms.Attributes["room"] == "" || ms.Info.Name != "temperature" {
					t.Errorf("series %+v", ms)
				}
			}
		}},
		{"sum sorted", store.MetricSelectParams{Kind: store.MetricSum, Names: []string{"requests"}}, func(t *testing.T, got []store.MetricSeries) {
			if len(got) != 1 || !got[0].Info.IsMonotonic || got[0].Info.Temporality != 2 {
				t.Fatalf("got %+v", got)
			}
			if !reflect.DeepEqual(got[0].Values, []float64{0, 10, 20}) || !slices.IsSorted(got[0].Times) ||
				got[0].StartTimes[0] != metricsT0.UnixNano() {
				t.Errorf("points %v %v %v", got[0].Times, got[0].Values, got[0].StartTimes)
			}
		}},
		{"histogram", store.MetricSelectParams{Kind: store.MetricHistogram, Names: []string{"latency"}}, func(t *testing.T, got []store.MetricSeries) {
			want := store.HistogramPoint{Count: 6, Sum: 3.5, Bounds: []float64{0.1, 1}, Buckets: []uint64{1, 2, 3}}
			if len(got) != 1 || !equalHists(got[0].Histograms, []store.HistogramPoint{want}) {
				t.Fatalf("got %#v", got)
			}
		}},
		{"exponential histogram", store.MetricSelectParams{Kind: store.MetricExpHistogram, Names: []string{"size"}}, func(t *testing.T, got []store.MetricSeries) {
			want := store.HistogramPoint{Count: 4, Sum: 10, Scale: 2, ZeroCount: 1, PositiveOffset: -1, Positive: []uint64{1, 2}}
			if len(got) != 1 || !equalHists(got[0].Histograms, []store.HistogramPoint{want}) {
				t.Fatalf("got %#v", got)
			}
		}},
		{"summary", store.MetricSelectParams{Kind: store.MetricSummary, Names: []string{"rpc"}}, func(t *testing.T, got []store.MetricSeries) {
			want := store.HistogramPoint{Count: 3, Sum: 9, Quantiles: []float64{0.5, 0.9}, QuantileValues: []float64{1, 2}}
			if len(got) != 1 || !equalHists(got[0].Histograms, []store.HistogramPoint{want}) {
				t.Fatalf("got %#v", got)
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

// testMetricResources: the resources of metric points in a range, with
// the last point time per minute.
func testMetricResources(t *testing.T, st store.Store) {
	s := st.(interface {
		store.Store
		store.MetricResourceReader
	})
	ctx := context.Background()
	base := time.Now().Truncate(time.Hour).Add(-time.Hour)
	md := pmetric.NewMetrics()
	for i, pod := range []string{"p1", "p2"} {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("service.name", "svc")
		rm.Resource().Attributes().PutStr("k8s.pod.name", pod)
		sm := rm.ScopeMetrics().AppendEmpty()
		g := sm.Metrics().AppendEmpty()
		g.SetName("temp")
		dps := g.SetEmptyGauge().DataPoints()
		for _, off := range []time.Duration{10 * time.Second, 20 * time.Second, 70 * time.Second} {
			dp := dps.AppendEmpty()
			dp.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(off + time.Duration(i)*time.Hour)))
			dp.SetDoubleValue(1)
		}
	}
	if err := s.InsertMetrics(ctx, md); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		start, end time.Time
		want       []store.MetricResource
	}{
		{"both", base, base.Add(2 * time.Hour), []store.MetricResource{
			{Attributes: map[string]string{"service.name": "svc", "k8s.pod.name": "p1"},
				Times: []time.Time{base.Add(20 * time.Second).UTC(), base.Add(70 * time.Second).UTC()}},
			{Attributes: map[string]string{"service.name": "svc", "k8s.pod.name": "p2"},
				Times: []time.Time{base.Add(time.Hour + 20*time.Second).UTC(), base.Add(time.Hour + 70*time.Second).UTC()}},
		}},
		{"first only", base, base.Add(15 * time.Second), []store.MetricResource{
			{Attributes: map[string]string{"service.name": "svc", "k8s.pod.name": "p1"},
				Times: []time.Time{base.Add(10 * time.Second).UTC()}},
		}},
		{"none", base.Add(-time.Hour), base.Add(-time.Minute), []store.MetricResource{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.MetricResources(ctx, tc.start, tc.end)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// testSelectExemplars: exemplars of every kind that has them, by series
// and range, with their attributes and histogram bounds.
func testSelectExemplars(t *testing.T, st store.Store) {
	s := st.(interface {
		store.Store
		store.ExemplarReader
	})
	t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	if err := s.InsertMetrics(context.Background(), ExemplarMetrics(t0)); err != nil {
		t.Fatal(err)
	}
	ns := func(d time.Duration) int64 { return t0.Add(d).UnixNano() }
	exA := store.Exemplar{Time: ns(-70 * time.Second), Value: 1, TraceID: "01000000000000000000000000000001",
		SpanID: "0200000000000002", Attributes: map[string]string{"user": "u1"}}
	exB := store.Exemplar{Time: ns(-10 * time.Second), Value: 2, TraceID: "03000000000000000000000000000003",
		SpanID: "0400000000000004", Attributes: map[string]string{}}
	bounds := []float64{0.1, 1}
	hist := []store.Exemplar{
		{Time: ns(-30 * time.Second), Value: 0.05, TraceID: "05000000000000000000000000000005", SpanID: "0600000000000006",
			Attributes: map[string]string{}, Bounds: bounds},
		{Time: ns(-20 * time.Second), Value: 0.5, TraceID: "07000000000000000000000000000007", SpanID: "0800000000000008",
			Attributes: map[string]string{}, Bounds: bounds},
		{Time: ns(-5 * time.Second), Value: 5, Attributes: map[string]string{}, Bounds: bounds},
	}
	sumInfo := store.MetricInfo{Kind: store.MetricSum, Name: "requests", IsMonotonic: true, Temporality: 2}
	tests := []struct {
		name       string
		p          store.ExemplarSelectParams
		info       store.MetricInfo
		want       []store.Exemplar // of the only series; nil: no series
		wantN      int              // when want is nil and series are expected: the exemplar count
		wantErrArg bool
	}{
		{name: "sum, repeated exemplar kept once",
			p:    store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0},
			info: sumInfo, want: []store.Exemplar{exA, exB}},
		{name: "exemplar time bounds the range",
			p:    store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-15 * time.Second), End: t0},
			info: sumInfo, want: []store.Exemplar{exB}},
		{name: "points after end carry earlier exemplars",
			p:    store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0.Add(-30 * time.Second)},
			info: sumInfo, want: []store.Exemplar{exA}},
		{name: "attribute filter",
			p: store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0,
				Filters: []store.MetricFilter{{Column: "Attributes", Key: "http.route", Value: "/other"}}}},
		{name: "service filter",
			p: store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0,
				Filters: []store.MetricFilter{{Column: "ServiceName", Value: "checkout"}}},
			info: sumInfo, want: []store.Exemplar{exA, exB}},
		{name: "limit",
			p:    store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}, Start: t0.Add(-5 * time.Minute), End: t0, Limit: 1},
			info: sumInfo, wantN: 1},
		{name: "histogram exemplars carry the bounds",
			p:    store.ExemplarSelectParams{Kind: store.MetricHistogram, Names: []string{"latency"}, Start: t0.Add(-5 * time.Minute), End: t0},
			info: store.MetricInfo{Kind: store.MetricHistogram, Name: "latency", Temporality: 1}, want: hist},
		{name: "gauge",
			p:    store.ExemplarSelectParams{Kind: store.MetricGauge, Names: []string{"temperature"}, Start: t0.Add(-5 * time.Minute), End: t0},
			info: store.MetricInfo{Kind: store.MetricGauge, Name: "temperature"},
			want: []store.Exemplar{{Time: ns(-time.Second), Value: 21, TraceID: "09000000000000000000000000000009",
				SpanID: "0900000000000009", Attributes: map[string]string{}}}},
		{name: "other name",
			p: store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"latency"}, Start: t0.Add(-5 * time.Minute), End: t0}},
		{name: "summaries have none",
			p: store.ExemplarSelectParams{Kind: store.MetricSummary, Names: []string{"x"}, Start: t0.Add(-5 * time.Minute), End: t0}},
		{name: "no names", p: store.ExemplarSelectParams{Kind: store.MetricSum, Start: t0, End: t0}, wantErrArg: true},
		{name: "no range", p: store.ExemplarSelectParams{Kind: store.MetricSum, Names: []string{"requests"}}, wantErrArg: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SelectExemplars(context.Background(), tt.p)
			if tt.wantErrArg {
				if !errors.Is(err, store.ErrInvalidArgument) {
					t.Fatalf("err = %v, want ErrInvalidArgument", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil && tt.wantN == 0 {
				if len(got) != 0 {
					t.Fatalf("got %+v, want nothing", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %d series, want 1: %+v", len(got), got)
			}
			se := got[0].Series
			if se.Info != tt.info || se.ServiceName != "checkout" || se.ResourceAttributes["service.instance.id"] != "i-1" {
				t.Errorf("series = %+v", se)
			}
			if tt.wantN > 0 {
				if len(got[0].Exemplars) != tt.wantN {
					t.Errorf("got %d exemplars, want %d", len(got[0].Exemplars), tt.wantN)
				}
				return
			}
			if !reflect.DeepEqual(got[0].Exemplars, tt.want) {
				t.Errorf("exemplars\n got %+v\nwant %+v", got[0].Exemplars, tt.want)
			}
		})
	}
}

// equalHists compares histogram points, an empty slice equal to nil.
func equalHists(a, b []store.HistogramPoint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		for _, p := range []*store.HistogramPoint{&x, &y} {
			for _, f := range []*[]float64{&p.Bounds, &p.Quantiles, &p.QuantileValues} {
				if len(*f) == 0 {
					*f = nil
				}
			}
			for _, f := range []*[]uint64{&p.Buckets, &p.Positive, &p.Negative} {
				if len(*f) == 0 {
					*f = nil
				}
			}
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}
