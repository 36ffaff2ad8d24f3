package promstorage

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/store"
)

type captureInserter struct{ got []pmetric.Metrics }

func (c *captureInserter) InsertMetrics(_ context.Context, md pmetric.Metrics) error {
	c.got = append(c.got, md)
	return nil
}

// metricsByName flattens md into name/type → metric and resource attributes.
func metricsByName(md pmetric.Metrics) map[string][]pmetric.Metric {
	out := map[string][]pmetric.Metric{}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				out[m.Name()] = append(out[m.Name()], m)
			}
		}
	}
	return out
}

func TestAppender(t *testing.T) {
	ins := &captureInserter{}
	app := NewAppendable(ins).AppenderV2(context.Background())
	add := func(ls labels.Labels, st, ts int64, v float64, fh *histogram.FloatHistogram, typ model.MetricType) {
		t.Helper()
		if _, err := app.Append(0, ls, st, ts, v, nil, fh, storage.AppendV2Options{Metadata: metadata.Metadata{Type: typ}}); err != nil {
			t.Fatal(err)
		}
	}
	stale := math.Float64frombits(value.StaleNaN)
	add(labels.FromStrings("__name__", "req_total", "job", "j", "instance", "i", "code", "200"), 500, 1000, 1, nil, model.MetricTypeCounter)
	add(labels.FromStrings("__name__", "req_total", "job", "j", "instance", "i", "code", "200"), 0, 2000, stale, nil, model.MetricTypeCounter)
	add(labels.FromStrings("__name__", "errors", "job", "j"), 0, 1000, 2, nil, model.MetricTypeCounter)
	add(labels.FromStrings("__name__", "temp"), 0, 1000, 21, nil, "")
	exp := &histogram.FloatHistogram{Schema: 0, Count: 3, Sum: 4, ZeroCount: 1,
		PositiveSpans: []histogram.Span{{Offset: 1, Length: 2}}, PositiveBuckets: []float64{1, 1}}
	add(labels.FromStrings("__name__", "native"), 0, 1000, 0, exp, model.MetricTypeHistogram)
	gauge := exp.Copy()
	gauge.CounterResetHint = histogram.GaugeType
	add(labels.FromStrings("__name__", "native"), 0, 2000, 0, gauge, model.MetricTypeHistogram)
	nhcb := &histogram.FloatHistogram{Schema: histogram.CustomBucketsSchema, Count: 3, Sum: 1, CustomValues: []float64{0.5, 1},
		PositiveSpans: []histogram.Span{{Offset: 0, Length: 3}}, PositiveBuckets: []float64{1, 0, 2}}
	add(labels.FromStrings("__name__", "custom"), 0, 1000, 0, nhcb, model.MetricTypeHistogram)

	frac := exp.Copy()
	frac.Count = 2.5
	if _, err := app.Append(0, labels.FromStrings("__name__", "native"), 0, 3000, 0, nil, frac, storage.AppendV2Options{}); !errors.Is(err, ErrUnsupportedSample) {
		t.Errorf("non-integer histogram: err = %v", err)
	}
	if _, err := app.Append(0, labels.FromStrings("a", "b"), 0, 1, 1, nil, nil, storage.AppendV2Options{}); err == nil {
		t.Error("series without a name accepted")
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(ins.got) != 1 {
		t.Fatalf("%d inserts", len(ins.got))
	}
	md := ins.got[0]
	ms := metricsByName(md)

	req := ms["req_total"][0]
	if req.Type() != pmetric.MetricTypeSum || !req.Sum().IsMonotonic() || req.Sum().DataPoints().Len() != 2 {
		t.Fatalf("req_total = %v", req.Type())
	}
	p0, p1 := req.Sum().DataPoints().At(0), req.Sum().DataPoints().At(1)
	if p0.StartTimestamp() != 500e6 || p0.Timestamp() != 1000e6 || !p1.Flags().NoRecordedValue() || !math.IsNaN(p1.DoubleValue()) {
		t.Errorf("req_total points: %v %v %v", p0.StartTimestamp(), p0.Timestamp(), p1.Flags())
	}
	if v, _ := p0.Attributes().Get("code"); v.Str() != "200" || p0.Attributes().Len() != 1 {
		t.Errorf("attributes = %v", p0.Attributes().AsRaw())
	}
	if ms["errors"][0].Type() != pmetric.MetricTypeGauge || ms["temp"][0].Type() != pmetric.MetricTypeGauge {
		t.Error("a counter without _total and an untyped series must be gauges (names read back unchanged)")
	}
	if len(ms["native"]) != 2 || ms["native"][0].ExponentialHistogram().AggregationTemporality() != pmetric.AggregationTemporalityCumulative ||
		ms["native"][1].ExponentialHistogram().AggregationTemporality() != pmetric.AggregationTemporalityDelta {
		t.Fatalf("native = %v", ms["native"])
	}
	ep := ms["native"][0].ExponentialHistogram().DataPoints().At(0)
	if ep.Positive().Offset() != 0 || ep.Positive().BucketCounts().Len() != 2 || ep.ZeroCount() != 1 || ep.Count() != 3 {
		t.Errorf("exponential point: offset %d buckets %v", ep.Positive().Offset(), ep.Positive().BucketCounts().AsRaw())
	}
	cp := ms["custom"][0].Histogram().DataPoints().At(0)
	if got := cp.BucketCounts().AsRaw(); len(got) != 3 || got[0] != 1 || got[2] != 2 || cp.ExplicitBounds().Len() != 2 {
		t.Errorf("custom buckets: %v %v", got, cp.ExplicitBounds().AsRaw())
	}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == "custom" && sm.Scope().Name() != naming.NHCBScopeName {
					t.Errorf("custom-bucket histogram in scope %q", sm.Scope().Name())
				}
				if m.Name() == "req_total" {
					attrs := rm.Resource().Attributes().AsRaw()
					if attrs["service.name"] != "j" || attrs["service.instance.id"] != "i" {
						t.Errorf("resource = %v", attrs)
					}
				}
			}
		}
	}
	// A committed appender is empty; Rollback drops.
	if err := app.Commit(); err != nil || len(ins.got) != 1 {
		t.Errorf("second commit inserted: %v", err)
	}
}

// extCapture is an inserter with store.MetricExtInserter.
type extCapture struct {
	captureInserter
	ext []store.MetricsExt
}

func (c *extCapture) InsertMetricsExt(_ context.Context, md pmetric.Metrics, ext store.MetricsExt) error {
	c.got = append(c.got, md)
	c.ext = append(c.ext, ext)
	return nil
}

// TestAppenderExt checks what an extension-capable store receives: one
// HistogramExt per histogram point in md's order, inferred counter reset
// hints, and exact non-integer counts (rounded in the OTLP point).
func TestAppenderExt(t *testing.T) {
	ins := &extCapture{}
	app := NewAppendable(ins).AppenderV2(context.Background())
	h := func(count float64, buckets ...float64) *histogram.FloatHistogram {
		return &histogram.FloatHistogram{Schema: 0, Count: count, Sum: 1, ZeroThreshold: 0.001,
			PositiveSpans: []histogram.Span{{Offset: 0, Length: uint32(len(buckets))}}, PositiveBuckets: buckets}
	}
	stale := h(0)
	stale.Sum = math.Float64frombits(value.StaleNaN)
	samples := []struct {
		name string
		t    int64
		fh   *histogram.FloatHistogram
	}{
		{"a", 1000, h(2, 1, 1)},
		{"a", 2000, h(3, 2, 1)},     // continues: not reset
		{"a", 3000, h(1, 1)},        // reset: unknown
		{"a", 4000, stale},          // stale marker
		{"a", 5000, h(2.5, 1.5, 1)}, // after a stale marker: unknown; float counts
		{"z", 1000, h(4, 4)},        // another series, first sample
		{"c", 1000, &histogram.FloatHistogram{Schema: histogram.CustomBucketsSchema, Count: 2.5, Sum: 1,
			CustomValues: []float64{1}, PositiveSpans: []histogram.Span{{Length: 2}}, PositiveBuckets: []float64{0.5, 2}}},
	}
	for _, s := range samples {
		if _, err := app.Append(0, labels.FromStrings("__name__", s.name), 0, s.t, 0, nil, s.fh, storage.AppendV2Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(ins.ext) != 1 {
		t.Fatalf("%d inserts", len(ins.ext))
	}
	ext := ins.ext[0]
	wantHints := []histogram.CounterResetHint{histogram.UnknownCounterReset, histogram.NotCounterReset,
		histogram.UnknownCounterReset, histogram.UnknownCounterReset, histogram.UnknownCounterReset, histogram.UnknownCounterReset}
	if len(ext.ExpHistograms) != len(wantHints) {
		t.Fatalf("%d exponential histogram extensions, want %d", len(ext.ExpHistograms), len(wantHints))
	}
	for i, w := range wantHints {
		if got := histogram.CounterResetHint(ext.ExpHistograms[i].CounterResetHint); got != w {
			t.Errorf("point %d: hint %v, want %v", i, got, w)
		}
	}
	fc := ext.ExpHistograms[4].FloatCounts
	if fc == nil || fc.Count != 2.5 || len(fc.Positive) != 2 || fc.Positive[0] != 1.5 {
		t.Errorf("float counts of the non-integer point: %+v", fc)
	}
	for i, x := range ext.ExpHistograms {
		if i != 4 && x.FloatCounts != nil {
			t.Errorf("point %d has float counts %+v", i, x.FloatCounts)
		}
	}
	ms := metricsByName(ins.got[0])
	dp := ms["a"][0].ExponentialHistogram().DataPoints().At(4)
	if dp.Count() != 3 || dp.Positive().BucketCounts().At(0) != 2 || dp.ZeroThreshold() != 0.001 {
		t.Errorf("OTLP point of the non-integer sample: count %d, buckets %v, zero threshold %v",
			dp.Count(), dp.Positive().BucketCounts().AsRaw(), dp.ZeroThreshold())
	}
	if len(ext.Histograms) != 1 || ext.Histograms[0].FloatCounts == nil || ext.Histograms[0].FloatCounts.Buckets[0] != 0.5 {
		t.Errorf("custom-bucket extensions: %+v", ext.Histograms)
	}
}
