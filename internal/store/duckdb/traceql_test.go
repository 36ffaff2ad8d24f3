package duckdb

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/query/traceql/traceqltest"
	"github.com/overlook-dev/overlook/internal/store"
)

// openTraceQLFixture opens a store holding traceqltest's spans.
func openTraceQLFixture(t *testing.T) *Store {
	t.Helper()
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.InsertTraces(context.Background(), traceqltest.Traces(traceqltest.Base)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTraceQLConformance runs the conformance table: each query returns
// exactly the expected traces (and, where given, matched span counts).
func TestTraceQLConformance(t *testing.T) {
	s := openTraceQLFixture(t)
	start, end := traceqltest.Base.Add(-time.Hour), traceqltest.Base.Add(time.Hour)
	if len(traceqltest.Cases) < 60 {
		t.Fatalf("conformance table has %d cases, want ≥ 60", len(traceqltest.Cases))
	}
	for _, c := range traceqltest.Cases {
		// Read with the stored ID bytes (SearchOptions.RawIDs), and with
		// the parts view's hex IDs.
		for _, hex := range []bool{false, true} {
			name := c.Query
			if hex {
				name += "/hex_ids"
			}
			t.Run(name, func(t *testing.T) {
				s.tqHexIDs = hex
				defer func() { s.tqHexIDs = false }()
				conformance(t, s, c, start, end)
			})
		}
	}
}

// conformance checks one case of the conformance table.
func conformance(t *testing.T, s *Store, c traceqltest.Case, start, end time.Time) {
	t.Helper()
	q, err := traceql.Parse(c.Query)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.TraceQLSearch(context.Background(), store.TraceQLSearchParams{
		Query: q, Start: start, End: end, Limit: 100, SpansPerSet: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	matched := map[int]int{}
	for _, tr := range res {
		var n int
		for i := 1; i <= traceqltest.NumTraces(); i++ {
			if traceqltest.TraceID(i) == tr.TraceID {
				n = i
			}
		}
		got = append(got, n)
		for _, ss := range tr.SpanSets {
			matched[n] += ss.Matched
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, c.Want) {
		t.Fatalf("traces %v, want %v", got, c.Want)
	}
	for n, m := range c.Matched {
		if matched[n] != m {
			t.Errorf("T%d: %d matched spans, want %d", n, matched[n], m)
		}
	}
}

// TestTraceQLSearchNewestFirst: a search with a small limit returns the
// newest matching traces (the sliced path stops early), and a search that
// cannot be sliced (an aggregate) still sees whole traces.
func TestTraceQLSearchNewestFirst(t *testing.T) {
	s := openTraceQLFixture(t)
	start, end := traceqltest.Base.Add(-time.Hour), traceqltest.Base.Add(time.Hour)
	for _, c := range []struct {
		q     string
		limit int
		want  []string
	}{
		{`{}`, 2, []string{traceqltest.TraceID(8), traceqltest.TraceID(7)}},
		{`{ kind = server }`, 3, []string{traceqltest.TraceID(8), traceqltest.TraceID(7), traceqltest.TraceID(6)}},
		{`{ } | count() < 2`, 5, []string{traceqltest.TraceID(8)}},
	} {
		q, err := traceql.Parse(c.q)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.TraceQLSearch(context.Background(), store.TraceQLSearchParams{Query: q, Start: start, End: end, Limit: c.limit, SpansPerSet: 1})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tr := range res {
			got = append(got, tr.TraceID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s limit %d: %v, want %v", c.q, c.limit, got, c.want)
		}
	}
}
