package clickhouse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// TestMetricReaderMatchesDuckDB: the same points stored in ClickHouse and
// in DuckDB read back as the same metric list and the same series, for
// every kind, with and without filters (DuckDB's reader is the reference;
// its behaviour tests live in store/duckdb).
func TestMetricReaderMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	chs := openTest(t, nil)
	defer chs.Close()
	dds, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer dds.Close()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for i := range 3 {
		md := storetest.SampleMetricsAt(now.Add(time.Duration(i-3) * time.Minute))
		if err := chs.InsertMetrics(ctx, md); err != nil {
			t.Fatal(err)
		}
		if err := dds.InsertMetrics(ctx, md); err != nil {
			t.Fatal(err)
		}
	}
	lo, hi := now.Add(-time.Hour), now.Add(time.Minute)
	want, err := dds.MetricInfos(ctx, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chs.MetricInfos(ctx, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	sortInfos := func(x []store.MetricInfo) {
		slices.SortFunc(x, func(a, b store.MetricInfo) int { return cmp.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	}
	sortInfos(want)
	sortInfos(got)
	if !reflect.DeepEqual(got, want) || len(got) != 5 {
		t.Fatalf("MetricInfos:\n got %+v\nwant %+v", got, want)
	}
	for _, info := range want {
		for _, tc := range []struct {
			name    string
			filters []store.MetricFilter
			only    bool
		}{
			{"all", nil, false},
			{"service", []store.MetricFilter{{Column: "ServiceName", Value: storetest.Services[0]}}, false},
			{"regex", []store.MetricFilter{{Column: "ServiceName", Value: ".*" + storetest.Services[1][2:], Regex: true}}, false},
			{"series only", nil, true},
		} {
			p := store.MetricSelectParams{Kind: info.Kind, Names: []string{info.Name}, Start: lo, End: hi, Filters: tc.filters, SeriesOnly: tc.only}
			w, err := dds.SelectMetrics(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			g, err := chs.SelectMetrics(ctx, p)
			if err != nil {
				t.Fatalf("%s %s: %v", info.Name, tc.name, err)
			}
			key := func(s store.MetricSeries) string { return s.ServiceName + fmt.Sprint(s.Attributes) }
			slices.SortFunc(w, func(a, b store.MetricSeries) int { return cmp.Compare(key(a), key(b)) })
			slices.SortFunc(g, func(a, b store.MetricSeries) int { return cmp.Compare(key(a), key(b)) })
			if len(w) == 0 || !reflect.DeepEqual(g, w) {
				t.Errorf("%s %s:\n got %+v\nwant %+v", info.Name, tc.name, g, w)
			}
		}
	}
	wr, err := dds.MetricResources(ctx, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	gr, err := chs.MetricResources(ctx, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	if len(wr) == 0 || !reflect.DeepEqual(gr, wr) {
		t.Errorf("MetricResources:\n got %+v\nwant %+v", gr, wr)
	}
	for _, k := range []store.MetricKind{store.MetricGauge, store.MetricSum, store.MetricHistogram, store.MetricExpHistogram, store.MetricSummary} {
		var names []string
		for _, info := range want {
			if info.Kind == k {
				names = append(names, info.Name)
			}
		}
		for _, limit := range []int{0, 1} {
			p := store.ExemplarSelectParams{Kind: k, Names: names, Start: lo, End: hi, Limit: limit}
			we, err := dds.SelectExemplars(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			ge, err := chs.SelectExemplars(ctx, p)
			if err != nil {
				t.Fatalf("exemplars of kind %d: %v", k, err)
			}
			key := func(s store.SeriesExemplars) string { return s.Series.ServiceName + fmt.Sprint(s.Series.Attributes) }
			slices.SortFunc(we, func(a, b store.SeriesExemplars) int { return cmp.Compare(key(a), key(b)) })
			slices.SortFunc(ge, func(a, b store.SeriesExemplars) int { return cmp.Compare(key(a), key(b)) })
			if limit == 0 && !reflect.DeepEqual(ge, we) {
				t.Errorf("exemplars of kind %d:\n got %+v\nwant %+v", k, ge, we)
			}
			// With a limit, points of equal time may be taken from either
			// series: compare how many and how new.
			count := func(x []store.SeriesExemplars) (n int, newest int64) {
				for _, s := range x {
					for _, e := range s.Exemplars {
						n, newest = n+1, max(newest, e.Time)
					}
				}
				return n, newest
			}
			if n, _ := count(ge); limit == 0 && (k == store.MetricGauge || k == store.MetricHistogram) && n == 0 {
				t.Errorf("no exemplars of kind %d: the samples carry some", k)
			}
			if limit == 1 {
				gn, gt := count(ge)
				wn, wt := count(we)
				if gn != wn || gt != wt {
					t.Errorf("exemplars of kind %d, limit 1: %d newest %d, want %d newest %d", k, gn, gt, wn, wt)
				}
			}
		}
	}
	_, err = chs.SelectMetrics(ctx, store.MetricSelectParams{Kind: store.MetricGauge, Names: []string{"visa_validation_cache.size"}, Start: lo, End: hi, MaxPoints: 2})
	if err == nil || !errorsIs(err, store.ErrTooManyPoints) {
		t.Errorf("MaxPoints 2 of 6 points: %v, want ErrTooManyPoints", err)
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
