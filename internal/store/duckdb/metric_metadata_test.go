package duckdb

import (
	"context"
	"reflect"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/store"
)

func TestMetricResources(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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

// TestMetricMetadataRetention: retention drops the records of families not
// sent for longer than the metrics retention (at least a day), and keeps
// the others.
func TestMetricMetadataRetention(t *testing.T) {
	tests := []struct {
		name   string
		keep   time.Duration
		remain []string
	}{
		{"no retention keeps all", 0, []string{"fresh", "old", "stale"}},
		{"7 days", 7 * 24 * time.Hour, []string{"fresh", "old"}},
		{"1 hour keeps a day", time.Hour, []string{"fresh"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Dir: t.TempDir()}
			cfg.Retention.Metrics = tc.keep
			s, err := Open(cfg, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			now := time.Now()
			if err := s.PutMetricMetadata(ctx, []store.MetricFamilyMetadata{
				{Family: "fresh", Type: "gauge", Seen: now.Add(-2 * time.Hour)},
				{Family: "old", Type: "gauge", Seen: now.Add(-3 * 24 * time.Hour)},
				{Family: "stale", Type: "gauge", Seen: now.Add(-30 * 24 * time.Hour)},
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RunRetention(ctx); err != nil {
				t.Fatal(err)
			}
			mds, err := s.MetricMetadata(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, md := range mds {
				got = append(got, md.Family)
			}
			if !reflect.DeepEqual(got, tc.remain) {
				t.Fatalf("families after retention = %v, want %v", got, tc.remain)
			}
		})
	}
}
