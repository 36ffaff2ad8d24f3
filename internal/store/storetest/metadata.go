package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

// testMetricMetadata: a later put replaces a family's record, the last
// record of a family in one put wins, records are sorted by family, and a
// record without a family is refused.
func testMetricMetadata(t *testing.T, st store.Store) {
	s := st.(store.MetricMetadataStore)
	ctx := context.Background()
	seen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	puts := [][]store.MetricFamilyMetadata{
		{{Family: "b_total", Type: "counter", Help: "old", Seen: seen}, {Family: "a", Type: "histogram", Unit: "seconds", Help: "h", Seen: seen}},
		{{Family: "b_total", Type: "gauge", Help: "new", Seen: seen.Add(time.Hour)}},
		{{Family: "c", Type: "gauge", Help: "first", Seen: seen}, {Family: "c", Type: "summary", Help: "second", Seen: seen}},
		nil,
	}
	for _, mds := range puts {
		if err := s.PutMetricMetadata(ctx, mds); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.MetricMetadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.MetricFamilyMetadata{
		{Family: "a", Type: "histogram", Unit: "seconds", Help: "h", Seen: seen},
		{Family: "b_total", Type: "gauge", Help: "new", Seen: seen.Add(time.Hour)},
		{Family: "c", Type: "summary", Help: "second", Seen: seen},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records = %+v, want %+v", got, want)
	}
	if err := s.PutMetricMetadata(ctx, []store.MetricFamilyMetadata{{Type: "gauge"}}); err == nil {
		t.Error("a record without family was accepted")
	}
}

// testMetricDescriptions: the non-empty description of a metric's points
// in the range, across points that lack one.
func testMetricDescriptions(t *testing.T, st store.Store) {
	s := st.(store.MetricDescriber)
	ctx := context.Background()
	base := time.Now().Truncate(time.Hour).Add(-time.Hour)
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	for i, m := range []struct{ name, desc string }{{"temp", ""}, {"temp", "Temperature."}, {"load", ""}, {"cpu", "CPU."}} {
		g := ms.AppendEmpty()
		g.SetName(m.name)
		g.SetDescription(m.desc)
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Duration(i) * time.Minute)))
	}
	if err := st.InsertMetrics(ctx, md); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		start, end time.Time
		names      []string
		want       map[string]string
	}{
		{"described later", base, base.Add(time.Hour), []string{"temp", "load"}, map[string]string{"temp": "Temperature."}},
		{"outside the range", base, base.Add(30 * time.Second), []string{"temp"}, map[string]string{}},
		{"no names", base, base.Add(time.Hour), nil, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.MetricDescriptions(ctx, tc.start, tc.end, tc.names)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
