package promstorage

import (
	"context"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/store"
)

// fakeReader serves fixed series; it records the last select.
type fakeReader struct {
	series []store.MetricSeries
	last   []store.MetricSelectParams
}

func (f *fakeReader) MetricInfos(context.Context, time.Time, time.Time) ([]store.MetricInfo, error) {
	var out []store.MetricInfo
	for _, s := range f.series {
		if !slices.Contains(out, s.Info) {
			out = append(out, s.Info)
		}
	}
	return out, nil
}

func (f *fakeReader) SelectMetrics(_ context.Context, p store.MetricSelectParams) ([]store.MetricSeries, error) {
	f.last = append(f.last, p)
	var out []store.MetricSeries
	for _, s := range f.series {
		if s.Info.Kind == p.Kind && slices.Contains(p.Names, s.Info.Name) {
			out = append(out, s)
		}
	}
	return out, nil
}

const sec = int64(time.Second)

func number(kind store.MetricKind, name string, attrs map[string]string, times []int64, vals []float64) store.MetricSeries {
	info := store.MetricInfo{Kind: kind, Name: name}
	if kind == store.MetricSum {
		info.IsMonotonic, info.Temporality = true, naming.TemporalityCumulative
	}
	return store.MetricSeries{Info: info, ServiceName: "api", ResourceAttributes: map[string]string{naming.AttrServiceInstanceID: "h:1"},
		Attributes: attrs, Times: times, StartTimes: make([]int64, len(times)), Flags: make([]uint32, len(times)), Values: vals}
}

type sampleT struct {
	t int64
	f float64
}

func collect(t *testing.T, ss storage.SeriesSet) map[string][]sampleT {
	t.Helper()
	out := map[string][]sampleT{}
	var prev labels.Labels
	for ss.Next() {
		s := ss.At()
		if labels.Compare(prev, s.Labels()) >= 0 && prev.Len() > 0 {
			t.Errorf("series not sorted: %s after %s", s.Labels(), prev)
		}
		prev = s.Labels()
		it := s.Iterator(nil)
		var got []sampleT
		for vt := it.Next(); vt != chunkenc.ValNone; vt = it.Next() {
			if vt != chunkenc.ValFloat {
				got = append(got, sampleT{it.AtT(), -1})
				continue
			}
			ts, v := it.At()
			got = append(got, sampleT{ts, v})
		}
		out[s.Labels().String()] = got
	}
	if err := ss.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSelect(t *testing.T) {
	stale := math.Float64frombits(value.StaleNaN)
	g := number(store.MetricGauge, "temp.c", map[string]string{"room.name": "a"}, []int64{1 * sec, 2 * sec, 2*sec + 5e5, 3 * sec}, []float64{1, 2, 2.5, 0})
	g.Flags[3] = 1 // no recorded value: stale
	dup := number(store.MetricGauge, "temp.c", map[string]string{"room_name": "a"}, []int64{4 * sec}, []float64{4})
	dup.ResourceAttributes = map[string]string{naming.AttrServiceInstanceID: "h:1", "host.name": "other"}
	c := number(store.MetricSum, "reqs", map[string]string{"code": "200"}, []int64{1 * sec, 2 * sec}, []float64{5, 6})
	h := store.MetricSeries{Info: store.MetricInfo{Kind: store.MetricHistogram, Name: "lat", Unit: "s", Temporality: 2},
		ServiceName: "api", Times: []int64{1 * sec}, StartTimes: []int64{0}, Flags: []uint32{0},
		Histograms: []store.HistogramPoint{{Count: 6, Sum: 3, Bounds: []float64{0.1, 1}, Buckets: []uint64{1, 2, 3}}}}
	q := store.MetricSeries{Info: store.MetricInfo{Kind: store.MetricSummary, Name: "rpc"},
		ServiceName: "api", Times: []int64{1 * sec}, StartTimes: []int64{0}, Flags: []uint32{0},
		Histograms: []store.HistogramPoint{{Count: 3, Sum: 9, Quantiles: []float64{0.5}, QuantileValues: []float64{2}}}}
	r := &fakeReader{series: []store.MetricSeries{g, dup, c, h, q}}
	qr, _ := NewQueryable(r, Options{}).Querier(0, 10_000)

	tests := []struct {
		name     string
		matchers []*labels.Matcher
		want     map[string][]sampleT
		kinds    []store.MetricKind
	}{
		{"gauge, translated, merged, stale, ms dedupe", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "temp_c")},
			map[string][]sampleT{`{__name__="temp_c", instance="h:1", job="api", room_name="a"}`: {{1000, 1}, {2000, 2.5}, {3000, stale}, {4000, 4}}},
			[]store.MetricKind{store.MetricGauge}},
		{"counter total", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "reqs_total"), labels.MustNewMatcher(labels.MatchEqual, "code", "200")},
			map[string][]sampleT{`{__name__="reqs_total", code="200", instance="h:1", job="api"}`: {{1000, 5}, {2000, 6}}},
			[]store.MetricKind{store.MetricSum}},
		{"classic histogram", []*labels.Matcher{labels.MustNewMatcher(labels.MatchRegexp, "__name__", "lat_seconds_.*")},
			map[string][]sampleT{
				`{__name__="lat_seconds_bucket", job="api", le="+Inf"}`: {{1000, 6}},
				`{__name__="lat_seconds_bucket", job="api", le="0.1"}`:  {{1000, 1}},
				`{__name__="lat_seconds_bucket", job="api", le="1"}`:    {{1000, 3}},
				`{__name__="lat_seconds_count", job="api"}`:             {{1000, 6}},
				`{__name__="lat_seconds_sum", job="api"}`:               {{1000, 3}},
			}, []store.MetricKind{store.MetricHistogram}},
		{"bucket by le", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "lat_seconds_bucket"), labels.MustNewMatcher(labels.MatchEqual, "le", "1")},
			map[string][]sampleT{`{__name__="lat_seconds_bucket", job="api", le="1"}`: {{1000, 3}}}, []store.MetricKind{store.MetricHistogram}},
		{"summary", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "rpc")},
			map[string][]sampleT{`{__name__="rpc", job="api", quantile="0.5"}`: {{1000, 2}}}, []store.MetricKind{store.MetricSummary}},
		{"by job only", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "job", "api"), labels.MustNewMatcher(labels.MatchEqual, "code", "200")},
			map[string][]sampleT{`{__name__="reqs_total", code="200", instance="h:1", job="api"}`: {{1000, 5}, {2000, 6}}},
			[]store.MetricKind{store.MetricGauge, store.MetricSum, store.MetricHistogram, store.MetricSummary}},
		{"no match", []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "nope")}, map[string][]sampleT{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.last = nil
			got := collect(t, qr.Select(context.Background(), true, nil, tc.matchers...))
			if len(got) != len(tc.want) {
				t.Fatalf("got %v", got)
			}
			for k, want := range tc.want {
				g := got[k]
				if len(g) != len(want) {
					t.Fatalf("%s = %v, want %v (all: %v)", k, g, want, got)
				}
				for i := range want {
					if g[i].t != want[i].t || (g[i].f != want[i].f && !(math.IsNaN(want[i].f) && value.IsStaleNaN(g[i].f))) {
						t.Errorf("%s[%d] = %v, want %v", k, i, g[i], want[i])
					}
				}
			}
			var kinds []store.MetricKind
			for _, p := range r.last {
				kinds = append(kinds, p.Kind)
				if p.Start != time.UnixMilli(0) || p.End != time.UnixMilli(10_000).Add(time.Millisecond-1) {
					t.Errorf("range %v..%v", p.Start, p.End)
				}
			}
			if !reflect.DeepEqual(kinds, tc.kinds) {
				t.Errorf("read kinds %v, want %v", kinds, tc.kinds)
			}
		})
	}

	names, _, err := qr.LabelValues(context.Background(), "__name__", nil)
	if err != nil || !reflect.DeepEqual(names, []string{"lat_seconds_bucket", "lat_seconds_count", "lat_seconds_sum", "reqs_total", "rpc", "rpc_count", "rpc_sum", "temp_c"}) {
		t.Errorf("__name__ values = %v, %v", names, err)
	}
	lnames, _, err := qr.LabelNames(context.Background(), nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "temp_c"))
	if err != nil || !reflect.DeepEqual(lnames, []string{"__name__", "instance", "job", "room_name"}) {
		t.Errorf("label names = %v, %v", lnames, err)
	}
	vals, _, err := qr.LabelValues(context.Background(), "le", nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "lat_seconds_bucket"))
	if err != nil || !reflect.DeepEqual(vals, []string{"+Inf", "0.1", "1"}) {
		t.Errorf("le values = %v, %v", vals, err)
	}
}

func TestPushdown(t *testing.T) {
	m := func(typ labels.MatchType, n, v string) *labels.Matcher { return labels.MustNewMatcher(typ, n, v) }
	tests := []struct {
		name string
		in   []*labels.Matcher
		want []store.MetricFilter
	}{
		{"job", []*labels.Matcher{m(labels.MatchEqual, "job", "api")}, []store.MetricFilter{{Column: "ServiceName", Value: "api"}}},
		{"job with namespace", []*labels.Matcher{m(labels.MatchEqual, "job", "shop/api")}, nil},
		{"instance", []*labels.Matcher{m(labels.MatchEqual, "instance", "h:1")},
			[]store.MetricFilter{{Column: "ResourceAttributes", Key: "service.instance.id", Value: "h:1"}}},
		{"attribute", []*labels.Matcher{m(labels.MatchEqual, "http_method", "GET")}, []store.MetricFilter{{Column: "Attributes", Value: "GET"}}},
		{"regex", []*labels.Matcher{m(labels.MatchRegexp, "code", "5..")}, []store.MetricFilter{{Column: "Attributes", Value: "(?s:5..)", Regex: true}}},
		{"matches empty", []*labels.Matcher{m(labels.MatchRegexp, "code", "5..|"), m(labels.MatchNotEqual, "code", "200"), m(labels.MatchEqual, "x", "")}, nil},
		{"derived labels", []*labels.Matcher{m(labels.MatchEqual, "le", "1"), m(labels.MatchEqual, "quantile", "0.5"), m(labels.MatchEqual, "__name__", "x")}, nil},
		{"collision values", []*labels.Matcher{m(labels.MatchEqual, "a", "x;y")}, nil},
	}
	for _, tc := range tests {
		if got := pushdown(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: pushdown = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestMaxPoints(t *testing.T) {
	r := &fakeReader{series: []store.MetricSeries{number(store.MetricGauge, "x", nil, []int64{sec}, []float64{1})}}
	qr, _ := NewQueryable(r, Options{MaxPoints: 7}).Querier(0, 10_000)
	qr.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "x"))
	if len(r.last) != 1 || r.last[0].MaxPoints != 7 {
		t.Errorf("MaxPoints not passed down: %+v", r.last)
	}
}

// TestHistogramWithoutSum: an explicit-bucket histogram point without a
// sum (OTLP HasSum false) has no _sum sample; _count and buckets are there.
func TestHistogramWithoutSum(t *testing.T) {
	ms := &store.MetricSeries{
		Info:  store.MetricInfo{Kind: store.MetricHistogram, Name: "lat", Temporality: 2},
		Times: []int64{1e9, 2e9},
		Histograms: []store.HistogramPoint{
			{Count: 2, Sum: 3, Bounds: []float64{1}, Buckets: []uint64{1, 1}},
			{Count: 4, NoSum: true, Bounds: []float64{1}, Buckets: []uint64{2, 2}},
		},
	}
	var e expander
	want := map[string]int{"lat_sum": 1, "lat_count": 2, "lat_bucket": 2}
	for _, p := range e.expand(ms) {
		name := p.lset.Get("__name__")
		if got := newSourceSamples(p.sources[0]).Len(); got != want[name] {
			t.Errorf("%s: %d samples, want %d", p.lset, got, want[name])
		}
	}
}
