package duckdb

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

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
