package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/metricgen"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// TestMetricGenerations: an insert bumps exactly the hours of its points
// (and only once it returned, i.e. its rows are committed), retention
// bumps the hours it deletes, and other signals bump nothing.
func TestMetricGenerations(t *testing.T) {
	ctx := context.Background()
	s, err := Open(Config{Dir: t.TempDir(), Retention: store.Retention{Metrics: 3 * time.Hour}}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	g := s.MetricGenerations()
	base := time.Now().UTC().Truncate(time.Hour)
	hour := func(t time.Time) int64 { return metricgen.HourOfNs(t.UnixNano()) }
	old, recent := base.Add(-5*time.Hour+10*time.Minute), base.Add(-time.Hour+20*time.Minute)

	s0 := g.Seq()
	if err := s.InsertMetrics(ctx, storetest.SampleMetricsAt(recent)); err != nil {
		t.Fatal(err)
	}
	s1 := g.Seq()
	if s1 <= s0 || g.Newest(hour(recent), hour(recent)) <= s0 {
		t.Fatalf("insert into hour %d: seq %d → %d, hour's newest %d", hour(recent), s0, s1, g.Newest(hour(recent), hour(recent)))
	}
	// SampleMetricsAt writes points at t and a minute before (start
	// times are not sample times): only recent's hour changed.
	if n := g.Newest(hour(recent)+1, hour(recent)+100); n != 0 {
		t.Errorf("hours after the insert's changed: %d", n)
	}
	if n := g.Newest(hour(old)-10, hour(recent)-1); n != 0 {
		t.Errorf("hours before the insert's changed: %d", n)
	}
	if err := s.InsertTraces(ctx, storetest.SampleTraces(3)); err != nil {
		t.Fatal(err)
	}
	if g.Seq() != s1 {
		t.Errorf("a trace insert moved the metric generations")
	}
	// Late data into an old hour.
	if err := s.InsertMetrics(ctx, storetest.SampleMetricsAt(old)); err != nil {
		t.Fatal(err)
	}
	s2 := g.Seq()
	if g.Newest(hour(old), hour(old)) != s2 || g.Newest(hour(recent), hour(recent)) != s1 {
		t.Errorf("late insert: old hour %d, recent hour %d; want %d, %d",
			g.Newest(hour(old), hour(old)), g.Newest(hour(recent), hour(recent)), s2, s1)
	}
	// Retention (3 h) deletes the old point: its hour changes, the recent
	// one does not.
	n, err := s.RunRetention(ctx)
	if err != nil || n == 0 {
		t.Fatalf("retention deleted %d rows: %v", n, err)
	}
	if got := g.Newest(hour(old), hour(old)); got <= s2 {
		t.Errorf("retention did not change the deleted hour: %d", got)
	}
	if got := g.Newest(hour(recent), hour(recent)); got != s1 {
		t.Errorf("retention changed a kept hour: %d, want %d", got, s1)
	}
}
