package traceql

import (
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query/traceql/traceqltest"
)

// FuzzParse: the parser never panics, and whatever it accepts compiles to
// SQL with one argument per placeholder and no user text, for both
// dialects and every entry point.
func FuzzParse(f *testing.F) {
	for _, c := range traceqltest.Cases {
		f.Add(c.Query)
	}
	for _, c := range goldenCases {
		f.Add(c.q)
	}
	for _, c := range metricsGoldenCases {
		f.Add(c.q)
	}
	for _, s := range []string{`{`, `}`, `{ .a = "\"'; DROP TABLE x; --" }`, `{ span."it's" = 'x' }`, `((((`, `{ } | `, `.5`, `-`, "{ span.`a` = `b` }"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q, err := Parse(in)
		if err != nil {
			return
		}
		start := time.Unix(0, 0)
		for _, d := range []Dialect{DuckDB, ClickHouse} {
			var s SQL
			if q.Metrics != nil {
				s, err = MetricsSQL(q, d, MetricsOptions{Start: start, End: start.Add(time.Hour), Step: time.Minute})
			} else {
				s, err = SearchSQL(q, d, SearchOptions{Start: start, End: start.Add(time.Hour), Limit: 5, SpansPerSet: 2})
			}
			if err != nil {
				continue
			}
			if msg := checkSQL(s); msg != "" {
				t.Fatalf("%q (%s): %s", in, d.Name(), msg)
			}
		}
	})
}
