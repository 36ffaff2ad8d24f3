package storetest

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

// chartT0 is the start of every chart fixture: a fixed minute.
var chartT0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

func minute(m int) time.Time { return chartT0.Add(time.Duration(m) * time.Minute) }

const ms = int64(time.Millisecond)

// chartSpans are the span fixture: for each minute m of 0..9, service
// payment has a visa span of (m+1)·100 ms and a mastercard span of 50 ms,
// service frontend a visa span of 10 s; minute 0 also has a payment amex
// span of 20 ms. 31 spans.
func chartSpans() ptrace.Traces {
	td := ptrace.NewTraces()
	add := func(svc, card string, at time.Time, d time.Duration, n int) {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", svc)
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{byte(n), 1})
		sp.SetSpanID(pcommon.SpanID{byte(n), 2})
		sp.SetName("charge")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(d)))
		sp.Attributes().PutStr("app.payment.card_type", card)
	}
	n := 0
	for m := range 10 {
		at := minute(m).Add(10 * time.Second)
		add("payment", "visa", at, time.Duration(m+1)*100*time.Millisecond, n)
		add("payment", "mastercard", at, 50*time.Millisecond, n+1)
		add("frontend", "visa", at, 10*time.Second, n+2)
		n += 3
	}
	add("payment", "amex", minute(0).Add(20*time.Second), 20*time.Millisecond, n)
	return td
}

// gaugePoint, sumPoint and histPoint append one data point of a metric
// for a resource of service svc and attribute pod.
func addGauge(md pmetric.Metrics, svc, pod, name string, at time.Time, v float64) {
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", svc)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
	dp.SetTimestamp(pcommon.NewTimestampFromTime(at))
	dp.SetDoubleValue(v)
	dp.Attributes().PutStr("pod", pod)
}

func addSum(md pmetric.Metrics, name string, temp pmetric.AggregationTemporality, start, at time.Time, v float64) {
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "payment")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	s := m.SetEmptySum()
	s.SetAggregationTemporality(temp)
	s.SetIsMonotonic(true)
	dp := s.DataPoints().AppendEmpty()
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	dp.SetTimestamp(pcommon.NewTimestampFromTime(at))
	dp.SetDoubleValue(v)
}

func addHist(md pmetric.Metrics, name string, at time.Time, counts []uint64, sum float64) {
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "payment")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	h := m.SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	dp := h.DataPoints().AppendEmpty()
	dp.SetStartTimestamp(pcommon.NewTimestampFromTime(chartT0.Add(-time.Hour)))
	dp.SetTimestamp(pcommon.NewTimestampFromTime(at))
	dp.ExplicitBounds().FromRaw([]float64{10, 100, 1000})
	dp.BucketCounts().FromRaw(counts)
	var n uint64
	for _, c := range counts {
		n += c
	}
	dp.SetCount(n)
	dp.SetSum(sum)
}

// chartMetrics is the metrics fixture:
//   - gauge visa_validation_cache.size of payment: pod a m·1000, pod b
//     m·500 at minute m of 0..9; frontend reports 1e9 under the same name;
//   - cumulative counter requests_total: 0, 10, 20, 30, then a reset to 5,
//     15, 25 at minutes 0..6 (start time moves on at the reset);
//   - delta counter delta_total: 3 at every minute 0..5;
//   - cumulative histogram latency (bounds 10, 100, 1000): 0, then +[10, 80,
//     10, 0] per minute at minutes 1 and 2, sum +5000 per minute.
func chartMetrics() pmetric.Metrics {
	md := pmetric.NewMetrics()
	for m := range 10 {
		addGauge(md, "payment", "a", "visa_validation_cache.size", minute(m), float64(m*1000))
		addGauge(md, "payment", "b", "visa_validation_cache.size", minute(m), float64(m*500))
		addGauge(md, "frontend", "a", "visa_validation_cache.size", minute(m), 1e9)
	}
	start := chartT0.Add(-time.Hour)
	for m, v := range []float64{0, 10, 20, 30, 5, 15, 25} {
		st := start
		if m >= 4 {
			st = minute(4).Add(-time.Second)
		}
		addSum(md, "requests_total", pmetric.AggregationTemporalityCumulative, st, minute(m), v)
	}
	for m := range 6 {
		addSum(md, "delta_total", pmetric.AggregationTemporalityDelta, minute(m).Add(-time.Minute), minute(m), 3)
	}
	addHist(md, "latency", minute(0), []uint64{0, 0, 0, 0}, 0)
	addHist(md, "latency", minute(1), []uint64{10, 80, 10, 0}, 5000)
	addHist(md, "latency", minute(2), []uint64{20, 160, 20, 0}, 10000)
	return md
}

// loadCharts inserts the chart fixture: chartSpans and chartMetrics.
func loadCharts(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.InsertTraces(ctx, chartSpans()); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertMetrics(ctx, chartMetrics()); err != nil {
		t.Fatal(err)
	}
}

// series finds the series named name.
func series(t *testing.T, res *query.ChartResult, name string) query.Series {
	t.Helper()
	for _, s := range res.Series {
		if s.Name == name {
			return s
		}
	}
	var names []string
	for _, s := range res.Series {
		names = append(names, s.Name)
	}
	t.Fatalf("no series %q in %q", name, names)
	return query.Series{}
}

// values are a series' point values (NaN for null).
func values(s query.Series) []float64 {
	out := make([]float64, len(s.Points))
	for i, p := range s.Points {
		out[i] = p.V
	}
	return out
}

func sameValues(got, want []float64) bool {
	return slices.EqualFunc(got, want, func(a, b float64) bool {
		return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) < 1e-9*math.Max(1, math.Abs(b))
	})
}

var nan = math.NaN()

func testChartExecution(t *testing.T, s store.Store) {
	loadCharts(t, s)
	ten := minute(10)
	cases := []struct {
		name       string
		req        query.ChartRequest
		start, end time.Time
		want       map[string][]float64 // series name → values
		series     int                  // expected number of series (0: len(want))
	}{
		{
			// Seed 001, chart 1: max Duration where ServiceName:payment,
			// grouped by card type.
			name: "seed max duration by card type",
			req: query.ChartRequest{Source: "traces", Where: "ServiceName:payment", Granularity: "1 minute",
				Select:  []query.ChartSelect{{AggFn: "max", ValueExpression: "Duration"}},
				GroupBy: query.GroupByList{"SpanAttributes['app.payment.card_type']"}},
			start: chartT0, end: ten,
			want: map[string][]float64{
				"visa":       {100 * 1e6, 200 * 1e6, 300 * 1e6, 400 * 1e6, 500 * 1e6, 600 * 1e6, 700 * 1e6, 800 * 1e6, 900 * 1e6, 1000 * 1e6},
				"mastercard": {50e6, 50e6, 50e6, 50e6, 50e6, 50e6, 50e6, 50e6, 50e6, 50e6},
				"amex":       {20e6, nan, nan, nan, nan, nan, nan, nan, nan, nan},
			},
		},
		{
			name:  "count per minute",
			req:   query.ChartRequest{Source: "traces", Granularity: "1 minute", Select: []query.ChartSelect{{AggFn: "count"}}},
			start: chartT0, end: ten,
			want: map[string][]float64{"count": {4, 3, 3, 3, 3, 3, 3, 3, 3, 3}},
		},
		{
			name: "p95 number",
			req: query.ChartRequest{Source: "traces", DisplayType: "number", Where: "service:payment",
				Select: []query.ChartSelect{{AggFn: "quantile", Level: 0.95, ValueExpression: "Duration", Alias: "p95"}}},
			start: chartT0, end: ten,
			want: map[string][]float64{"p95": {exactQuantile(paymentDurations(), 0.95)}},
		},
		{
			name: "avg, min, sum, count_distinct, any, last_value table",
			req: query.ChartRequest{Source: "traces", DisplayType: "table", Where: "ServiceName:payment",
				Select: []query.ChartSelect{
					{AggFn: "avg", ValueExpression: "Duration", Alias: "avg"},
					{AggFn: "min", ValueExpression: "Duration", Alias: "min"},
					{AggFn: "sum", ValueExpression: "Duration", Alias: "sum"},
					{AggFn: "count_distinct", ValueExpression: "SpanAttributes['app.payment.card_type']", Alias: "cards"},
					// visa: the last payment span has a mastercard twin at the
					// same time, which would make last_value ambiguous.
					{AggFn: "last_value", ValueExpression: "Duration", Where: "SpanAttributes.app.payment.card_type:visa", Alias: "last"},
					{AggFn: "any", ValueExpression: "Duration", Where: "SpanAttributes.app.payment.card_type:amex", Alias: "any"},
				}},
			start: chartT0, end: ten,
			want: map[string][]float64{
				"avg": {sum(paymentDurations()) / 21}, "min": {20e6}, "sum": {sum(paymentDurations())},
				"cards": {3}, "last": {1000e6}, "any": {20e6},
			},
		},
		{
			name: "per-select where",
			req: query.ChartRequest{Source: "traces", Granularity: "5 minute", Select: []query.ChartSelect{
				{AggFn: "count", Where: "SpanAttributes.app.payment.card_type:visa", Alias: "visa"},
				{AggFn: "count", Where: "SpanAttributes['app.payment.card_type'] = 'mastercard'", WhereLanguage: "sql", Alias: "mc"},
			}},
			start: chartT0, end: ten,
			want: map[string][]float64{"visa": {10, 10}, "mc": {5, 5}},
		},
		{
			name: "top 1 and other, mergeable",
			req: query.ChartRequest{Source: "traces", Granularity: "5 minute", Limit: 1,
				Select: []query.ChartSelect{{AggFn: "count"}}, GroupBy: query.GroupByList{"ServiceName"}},
			start: chartT0, end: ten,
			want: map[string][]float64{"payment": {11, 10}, "Other": {5, 5}},
		},
		{
			name: "top 1 and other, quantile ranked in SQL",
			req: query.ChartRequest{Source: "traces", DisplayType: "table", Limit: 1,
				Select:  []query.ChartSelect{{AggFn: "p50", ValueExpression: "Duration"}},
				GroupBy: query.GroupByList{"SpanAttributes['app.payment.card_type'], ServiceName"}},
			start: chartT0, end: ten,
			// groups: (visa, frontend) p50 10 s ranks first; other = the
			// payment spans: median of 21 values.
			want: map[string][]float64{"visa, frontend": {10e9}, "Other": {exactQuantile(paymentDurations(), 0.5)}},
		},
		{
			// Seed 001, chart 2: max of gauge visa_validation_cache.size
			// where ServiceName:payment over time.
			name: "seed gauge max",
			req: query.ChartRequest{Source: "metrics", Where: "ServiceName:payment", Granularity: "1 minute",
				Select: []query.ChartSelect{{AggFn: "max", MetricName: "visa_validation_cache.size", MetricType: "gauge"}}},
			start: chartT0, end: ten,
			want: map[string][]float64{"max(visa_validation_cache.size)": {0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000}},
		},
		{
			name: "gauge avg grouped by point attribute",
			req: query.ChartRequest{Source: "metrics", Where: "ServiceName:payment", DisplayType: "table",
				MetricName: "visa_validation_cache.size", MetricType: "gauge",
				Select:  []query.ChartSelect{{AggFn: "avg"}},
				GroupBy: query.GroupByList{"Attributes['pod']"}},
			start: chartT0, end: ten,
			want: map[string][]float64{"a": {4500}, "b": {2250}},
		},
		{
			name: "counter increase with reset",
			req: query.ChartRequest{Source: "metrics", Granularity: "1 minute",
				Select: []query.ChartSelect{{AggFn: "increase", MetricName: "requests_total", MetricType: "sum", Alias: "inc"}}},
			start: chartT0, end: minute(7),
			want: map[string][]float64{"inc": {0, 10, 10, 10, 5, 10, 10}},
		},
		{
			name: "counter rate, first bucket from lookback",
			req: query.ChartRequest{Source: "metrics", Granularity: "1 minute",
				Select: []query.ChartSelect{{AggFn: "rate", MetricName: "requests_total", MetricType: "sum", Alias: "rate"}}},
			start: minute(1), end: minute(7),
			want: map[string][]float64{"rate": {10.0 / 60, 10.0 / 60, 10.0 / 60, 5.0 / 60, 10.0 / 60, 10.0 / 60}},
		},
		{
			name: "delta counter sum",
			req: query.ChartRequest{Source: "metrics", DisplayType: "number",
				Select: []query.ChartSelect{{AggFn: "sum", MetricName: "delta_total", MetricType: "sum", Alias: "total"}}},
			start: chartT0, end: ten,
			want: map[string][]float64{"total": {18}},
		},
		{
			name: "histogram quantiles, count, avg",
			req: query.ChartRequest{Source: "metrics", DisplayType: "table", MetricName: "latency", MetricType: "histogram",
				Select: []query.ChartSelect{{AggFn: "quantile", Level: 0.5, Alias: "p50"}, {AggFn: "p95", Alias: "p95"},
					{AggFn: "count", Alias: "n"}, {AggFn: "avg", Alias: "avg"}}},
			start: chartT0, end: ten,
			want: map[string][]float64{"p50": {55}, "p95": {550}, "n": {200}, "avg": {50}},
		},
		{
			name: "histogram p50 per minute",
			req: query.ChartRequest{Source: "metrics", Granularity: "1 minute", MetricName: "latency", MetricType: "histogram",
				Select: []query.ChartSelect{{AggFn: "quantile", Level: 0.5, Alias: "p50"}}},
			start: chartT0, end: minute(3),
			want: map[string][]float64{"p50": {nan, 55, 55}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := s.Chart(context.Background(), store.ChartParams{Request: &c.req, Start: c.start, End: c.end})
			if err != nil {
				t.Fatalf("Chart: %v", err)
			}
			n := c.series
			if n == 0 {
				n = len(c.want)
			}
			if len(res.Series) != n {
				t.Errorf("got %d series, want %d: %+v", len(res.Series), n, res.Series)
			}
			for name, want := range c.want {
				if got := values(series(t, res, name)); !sameValues(got, want) {
					t.Errorf("series %q = %v, want %v", name, got, want)
				}
			}
		})
	}
}

func paymentDurations() []float64 {
	var out []float64
	for m := range 10 {
		out = append(out, float64(m+1)*100e6, 50e6)
	}
	return append(out, 20e6)
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// exactQuantile is the linearly interpolated quantile (DuckDB's
// quantile_cont).
func exactQuantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	if lo+1 >= len(s) {
		return s[lo]
	}
	return s[lo] + (s[lo+1]-s[lo])*(pos-float64(lo))
}

func testChartSeriesShape(t *testing.T, s store.Store) {
	loadCharts(t, s)
	res, err := s.Chart(context.Background(), store.ChartParams{Start: chartT0, End: minute(10), Request: &query.ChartRequest{
		Source: "traces", Granularity: "1 minute", Where: "ServiceName:payment",
		Select:  []query.ChartSelect{{AggFn: "max", ValueExpression: "Duration"}},
		GroupBy: query.GroupByList{"SpanAttributes['app.payment.card_type']"}}})
	if err != nil {
		t.Fatal(err)
	}
	// Ranked by max over the range: visa (1 s), mastercard, amex.
	var names []string
	for _, s := range res.Series {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"visa", "mastercard", "amex"}) {
		t.Errorf("series order %q", names)
	}
	v := series(t, res, "visa")
	if v.Group["SpanAttributes['app.payment.card_type']"] != "visa" {
		t.Errorf("group = %v", v.Group)
	}
	if v.Points[0].T != chartT0.UnixMilli() || v.Points[9].T != minute(9).UnixMilli() {
		t.Errorf("points at %d..%d", v.Points[0].T, v.Points[9].T)
	}
	m := res.Meta
	if m.Granularity != "1 minute" || m.StepMillis != 60000 || m.Groups != 3 || m.Other || m.Queries != 1 {
		t.Errorf("meta = %+v", m)
	}
}

func testChartHeatmap(t *testing.T, s store.Store) {
	loadCharts(t, s)
	res, err := s.Chart(context.Background(), store.ChartParams{Start: chartT0, End: minute(10), Request: &query.ChartRequest{
		Source: "traces", DisplayType: "heatmap", Granularity: "1 minute", Heatmap: &query.HeatmapOptions{Bins: 10},
		Select: []query.ChartSelect{{AggFn: "count", ValueExpression: "Duration"}}}})
	if err != nil {
		t.Fatal(err)
	}
	h := res.Meta.Heatmap
	if h == nil || h.Min != 20e6 || h.Max != 10e9 || h.Bins != 10 || h.Scale != "log" {
		t.Fatalf("heatmap meta = %+v", h)
	}
	total := 0.0
	for _, s := range res.Series {
		if s.Bin == nil || s.Bin[0] >= s.Bin[1] {
			t.Errorf("bin %v", s.Bin)
		}
		for _, p := range s.Points {
			total += p.V
		}
	}
	if total != 31 {
		t.Errorf("heatmap counts %v rows, want 31", total)
	}
	// The 10 s frontend spans are all in the top bin.
	top := res.Series[len(res.Series)-1]
	if top.Bin[1] != 10e9 && math.Abs(top.Bin[1]-10e9) > 1 || len(top.Points) != 10 {
		t.Errorf("top bin %v with %d points", top.Bin, len(top.Points))
	}
}

func testChartErrors(t *testing.T, s store.Store) {
	loadCharts(t, s)
	cases := []struct {
		name string
		req  query.ChartRequest
	}{
		{"unknown field", query.ChartRequest{Source: "traces", Select: []query.ChartSelect{{AggFn: "max", ValueExpression: "Durration"}}}},
		{"bad where", query.ChartRequest{Source: "traces", Where: "a:(", Select: []query.ChartSelect{{AggFn: "count"}}}},
		{"rate on traces", query.ChartRequest{Source: "traces", Select: []query.ChartSelect{{AggFn: "rate"}}}},
		{"rate on gauge", query.ChartRequest{Source: "metrics", Select: []query.ChartSelect{{AggFn: "rate", MetricName: "x", MetricType: "gauge"}}}},
	}
	for _, c := range cases {
		_, err := s.Chart(context.Background(), store.ChartParams{Request: &c.req, Start: chartT0, End: minute(10)})
		var ce *query.ChartError
		if !errors.Is(err, store.ErrInvalidArgument) || !errors.As(err, &ce) {
			t.Errorf("%s: err = %v, want ErrInvalidArgument and *query.ChartError", c.name, err)
		}
	}
}

func testChartCancel(t *testing.T, s store.Store) {
	loadCharts(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Chart(ctx, store.ChartParams{Start: chartT0, End: minute(10), Request: &query.ChartRequest{
		Source: "traces", Select: []query.ChartSelect{{AggFn: "count"}}}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func testChartValues(t *testing.T, s store.Store) {
	loadCharts(t, s)
	ctx := context.Background()
	cases := []struct {
		source, field, prefix string
		want                  []store.Value
	}{
		{"traces", "SpanAttributes['app.payment.card_type']", "",
			[]store.Value{{Value: "visa", Count: 20}, {Value: "mastercard", Count: 10}, {Value: "amex", Count: 1}}},
		{"traces", "SpanAttributes.app.payment.card_type", "MA", []store.Value{{Value: "mastercard", Count: 10}}},
		{"traces", "service", "", []store.Value{{Value: "payment", Count: 21}, {Value: "frontend", Count: 10}}},
		{"metrics", "MetricName", "cache", []store.Value{{Value: "visa_validation_cache.size", Count: 30, Type: "gauge"}}},
		{"metrics", "MetricName", "", []store.Value{{Value: "visa_validation_cache.size", Count: 30, Type: "gauge"},
			{Value: "requests_total", Count: 7, Type: "sum"}, {Value: "delta_total", Count: 6, Type: "sum"},
			{Value: "latency", Count: 3, Type: "histogram"}}},
	}
	for _, c := range cases {
		got, err := s.Values(ctx, store.ValuesParams{Source: c.source, Field: c.field, Prefix: c.prefix, Start: chartT0.Add(-time.Hour), End: minute(10)})
		if err != nil {
			t.Errorf("%s %s: %v", c.source, c.field, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s %s %q = %+v, want %+v", c.source, c.field, c.prefix, got, c.want)
		}
	}
	// The row budget bounds what is read.
	got, err := s.Values(ctx, store.ValuesParams{Source: "traces", Field: "ServiceName", Start: chartT0, End: minute(10), RowBudget: 5})
	if err != nil {
		t.Fatal(err)
	}
	n := int64(0)
	for _, v := range got {
		n += v.Count
	}
	if n != 5 {
		t.Errorf("budget 5 counted %d rows: %+v", n, got)
	}
	if _, err := s.Values(ctx, store.ValuesParams{Source: "traces", Field: "Nope(", Start: chartT0, End: minute(10)}); !errors.Is(err, store.ErrInvalidArgument) {
		t.Errorf("bad field: err = %v", err)
	}
}

// testChartRatio runs seriesReturnType "ratio" charts on the span and
// metrics fixtures (chart_test.go) in a real DuckDB.
func testChartRatio(t *testing.T, s store.Store) {
	loadCharts(t, s)
	visaShare := []query.ChartSelect{
		{AggFn: "count", Where: "SpanAttributes.app.payment.card_type:visa", Alias: "visa"},
		{AggFn: "count", Alias: "all"},
	}
	cases := []struct {
		name       string
		req        query.ChartRequest
		start, end time.Time
		want       map[string][]float64
		other      bool
	}{
		{
			// payment: 5 visa of 11 spans (amex at minute 0), then 5 of 10;
			// frontend: only visa.
			name: "share of visa spans per service",
			req: query.ChartRequest{Source: "traces", Granularity: "5 minute", SeriesReturnType: "ratio",
				Select: visaShare, GroupBy: query.GroupByList{"ServiceName"}},
			start: chartT0, end: minute(10),
			want: map[string][]float64{"payment": {5.0 / 11, 0.5}, "frontend": {1, 1}},
		},
		{
			// Ranked by the numerator: a tie at 10 visa spans, broken by
			// name; payment goes to Other, divided after merging.
			name: "top 1 and Other",
			req: query.ChartRequest{Source: "traces", Granularity: "5 minute", SeriesReturnType: "ratio", Limit: 1,
				Select: visaShare, GroupBy: query.GroupByList{"ServiceName"}},
			start: chartT0, end: minute(10),
			want:  map[string][]float64{"frontend": {1, 1}, "Other": {5.0 / 11, 0.5}},
			other: true,
		},
		{
			name: "division by zero is null",
			req: query.ChartRequest{Source: "traces", Granularity: "1 minute", SeriesReturnType: "ratio", Select: []query.ChartSelect{
				{AggFn: "count", Where: "ServiceName:payment", Alias: "payment"},
				{AggFn: "count", Where: "SpanAttributes.app.payment.card_type:amex", Alias: "amex"}}},
			start: chartT0, end: minute(3),
			want: map[string][]float64{"payment / amex": {3, nan, nan}},
		},
		{
			name: "quantile ratio table, ranked in SQL",
			req: query.ChartRequest{Source: "traces", DisplayType: "table", SeriesReturnType: "ratio", Limit: 1,
				GroupBy: query.GroupByList{"ServiceName"},
				Select:  []query.ChartSelect{{AggFn: "p99", ValueExpression: "Duration"}, {AggFn: "p50", ValueExpression: "Duration"}}},
			start: chartT0, end: minute(10),
			want: map[string][]float64{"frontend": {1},
				"Other": {exactQuantile(paymentDurations(), 0.99) / exactQuantile(paymentDurations(), 0.5)}},
			other: true,
		},
		{
			// Two statements (one per metric): Σ delta_total 18 over the
			// increase of requests_total 10+10+10+5+10+10.
			name: "number over two counters",
			req: query.ChartRequest{Source: "metrics", DisplayType: "number", SeriesReturnType: "ratio", Select: []query.ChartSelect{
				{AggFn: "increase", MetricName: "delta_total", MetricType: "sum", Alias: "delta"},
				{AggFn: "increase", MetricName: "requests_total", MetricType: "sum", Alias: "requests"}}},
			start: chartT0, end: minute(7),
			want: map[string][]float64{"delta / requests": {18.0 / 55}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := s.Chart(context.Background(), store.ChartParams{Request: &c.req, Start: c.start, End: c.end})
			if err != nil {
				t.Fatalf("Chart: %v", err)
			}
			if len(res.Series) != len(c.want) || res.Meta.SeriesReturnType != query.ReturnRatio || res.Meta.Other != c.other {
				t.Errorf("got %d series (meta %+v), want %d", len(res.Series), res.Meta, len(c.want))
			}
			for name, want := range c.want {
				if got := values(series(t, res, name)); !sameValues(got, want) {
					t.Errorf("series %q = %v, want %v", name, got, want)
				}
			}
		})
	}
}
