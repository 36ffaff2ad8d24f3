package clickhouse

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/query/traceql/traceqltest"
	"github.com/overlook-dev/overlook/internal/store"
)

// TestTraceQLConformance runs the TraceQL conformance table on ClickHouse:
// each query returns exactly the expected traces and matched span counts.
func TestTraceQLConformance(t *testing.T) {
	for name, mod := range map[string]func(*Config){"schema names": nil, "renamed tables": renamedTables} {
		t.Run(name, func(t *testing.T) { traceQLConformance(t, openTest(t, mod)) })
	}
}

func traceQLConformance(t *testing.T, s *Store) {
	defer s.Close()
	if err := s.InsertTraces(context.Background(), traceqltest.Traces(traceqltest.Base)); err != nil {
		t.Fatal(err)
	}
	start, end := traceqltest.Base.Add(-time.Hour), traceqltest.Base.Add(time.Hour)
	for _, c := range traceqltest.Cases {
		t.Run(c.Query, func(t *testing.T) {
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
		})
	}
}
