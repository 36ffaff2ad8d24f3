package duckdb

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// checkCatalogue compares, over ranges around every point time of pts,
// the catalogue's metric list with the tables' (sqlMetricInfos) and with
// MetricInfos. Ranges of an hour or more must be answered by the catalogue.
func checkCatalogue(t *testing.T, s *Store, pts []time.Time) {
	t.Helper()
	ctx := context.Background()
	type rng struct{ start, end time.Time }
	lo, hi := slices.MinFunc(pts, time.Time.Compare), slices.MaxFunc(pts, time.Time.Compare)
	rs := []rng{{lo.Add(-time.Hour), hi.Add(time.Hour)}, {lo, hi}, {hi.Add(time.Nanosecond), hi.Add(3 * time.Hour)}}
	for _, p := range pts {
		h := p.Truncate(time.Hour)
		rs = append(rs, rng{p, p}, rng{p.Add(-time.Nanosecond), p.Add(-time.Nanosecond)},
			rng{p.Add(time.Nanosecond), p.Add(2 * time.Hour)}, rng{p.Add(-30 * time.Minute), p.Add(-time.Nanosecond)},
			rng{h, h.Add(time.Hour - time.Nanosecond)}, rng{h.Add(-time.Hour), h.Add(-time.Nanosecond)},
			rng{p.Add(-90 * time.Minute), p.Add(-time.Nanosecond)}, rng{p.Add(-5 * time.Minute), p.Add(5 * time.Minute)})
	}
	for _, r := range rs {
		want, err := s.sqlMetricInfos(ctx, r.start, r.end)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(want, compareInfos)
		got, ok := s.cat.infos(r.start.UnixNano(), r.end.UnixNano())
		if !ok && r.end.Sub(r.start) >= time.Hour {
			t.Errorf("catalogue cannot tell [%v, %v]", r.start, r.end)
		}
		if ok && !equalInfos(got, want) {
			t.Errorf("catalogue [%v, %v] = %+v\nwant (SQL) %+v", r.start, r.end, got, want)
		}
		all, err := s.MetricInfos(ctx, r.start, r.end)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(all, compareInfos)
		if !equalInfos(all, want) {
			t.Errorf("MetricInfos [%v, %v] = %+v\nwant (SQL) %+v", r.start, r.end, all, want)
		}
	}
}

func equalInfos(a, b []store.MetricInfo) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

func TestMetricCatalogue(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := Config{Dir: dir, Retention: store.Retention{Metrics: 3 * time.Hour}}
	s, err := Open(cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	base := time.Now().UTC().Truncate(time.Hour)
	old := []time.Time{base.Add(-10*time.Hour + 5*time.Minute), base.Add(-10*time.Hour + 25*time.Minute),
		base.Add(-5*time.Hour + 10*time.Minute), base.Add(-3*time.Hour - time.Minute)}
	kept := []time.Time{base.Add(-2*time.Hour + time.Minute), base.Add(-2*time.Hour + 50*time.Minute),
		base.Add(-time.Hour + 30*time.Minute)}

	steps := []struct {
		name string
		run  func(t *testing.T) []time.Time
	}{
		{"empty", func(t *testing.T) []time.Time {
			return kept
		}},
		{"insert", func(t *testing.T) []time.Time {
			for _, p := range slices.Concat(old, kept) {
				if err := s.InsertMetrics(ctx, storetest.SampleMetricsAt(p)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.InsertMetrics(ctx, storetest.KindsMetrics()); err != nil {
				t.Fatal(err)
			}
			// A refused batch (its ctx ended) stores nothing: it must not be listed.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			md := storetest.SampleMetricsAt(base.Add(-4 * time.Hour))
			md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).SetName("never.stored")
			if err := s.InsertMetrics(cctx, md); !errors.Is(err, context.Canceled) {
				t.Fatalf("insert with a cancelled ctx = %v", err)
			}
			return slices.Concat(old, kept, []time.Time{t0, t0.Add(45 * time.Second)})
		}},
		{"retention", func(t *testing.T) []time.Time {
			if _, err := s.RunRetention(ctx); err != nil {
				t.Fatal(err)
			}
			return slices.Concat(old, kept)
		}},
		{"reopen", func(t *testing.T) []time.Time {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if s, err = Open(cfg, testLogger(t)); err != nil {
				t.Fatal(err)
			}
			return slices.Concat(old, kept)
		}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			checkCatalogue(t, s, st.run(t))
		})
	}
	for _, info := range mustInfos(t, s, base.Add(-12*time.Hour), base) {
		if info.Name == "never.stored" {
			t.Errorf("a metric of a refused batch is listed: %+v", info)
		}
	}
}

func mustInfos(t *testing.T, s *Store, start, end time.Time) []store.MetricInfo {
	t.Helper()
	infos, err := s.MetricInfos(context.Background(), start, end)
	if err != nil {
		t.Fatal(err)
	}
	return infos
}

func TestCatalogueCovers(t *testing.T) {
	h := nsPerHour
	e := &catEntry{}
	for _, sp := range []hourSpan{{2, 2*h + 100, 2*h + 200}, {0, 10, 20}, {5, 5*h + 7, 5*h + 7}} {
		e.addSpan(sp)
	}
	e.addSpan(hourSpan{0, 5, 15})
	if want := []hourSpan{{0, 5, 20}, {2, 2*h + 100, 2*h + 200}, {5, 5*h + 7, 5*h + 7}}; !reflect.DeepEqual(e.hours, want) {
		t.Fatalf("hours = %v, want %v", e.hours, want)
	}
	for _, c := range []struct {
		start, end int64
		want       coverage
	}{
		{0, 4, coverNo},
		{0, 5, coverYes},
		{20, h, coverYes},
		{21, 2*h + 99, coverNo},
		{2*h + 101, 2*h + 199, coverMaybe},
		{2*h + 101, 2*h + 200, coverYes},
		{2*h + 201, 5*h + 6, coverNo},
		{5*h + 7, 9 * h, coverYes},
		{-h, -1, coverNo},
	} {
		if got := e.covers(hourOf(c.start), hourOf(c.end), c.start, c.end); got != c.want {
			t.Errorf("covers(%d, %d) = %v, want %v", c.start, c.end, got, c.want)
		}
	}
	if hourOf(-1) != -1 || hourOf(0) != 0 || hourOf(h-1) != 0 || hourOf(-h) != -1 {
		t.Error("hourOf does not round down")
	}
}
