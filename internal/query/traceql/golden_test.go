package traceql

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

var (
	gStart = time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	gEnd   = gStart.Add(time.Hour)
)

// goldenCases cover every construct; each renders for both dialects.
var goldenCases = []struct{ name, q string }{
	{"all", `{}`},
	{"intrinsics", `{ name = "GET /x" && status = error && kind = server && duration > 100ms && statusMessage != "" }`},
	{"regex", `{ name =~ "GET .*" || name !~ "health.*" }`},
	{"trace_level", `{ rootName = "a" && rootServiceName = "b" && traceDuration > 1s }`},
	{"ids", `{ trace:id = "ABC" && span:id = "01" && span:parentID = "02" }`},
	{"events_links", `{ event:name = "exception" && link:traceID = "aa" }`},
	{"attrs", `{ span.http.status_code >= 500 && resource.service.name = "api" && .region = "eu" && span.ok = true && span.x = nil && .y != nil }`},
	{"not", `{ !(span.a = "b") }`},
	{"and_or", `{ .a = 1 } && { .b = 2 } || { .c = 3 }`},
	{"child_parent_sibling", `({ .a = 1 } > { .b = 2 }) && ({ .c = 1 } < { .d = 2 }) && ({ .e = 1 } ~ { .f = 2 })`},
	{"descendant_ancestor", `{ .a = 1 } >> { .b = 2 } << { .c = 3 }`},
	{"pipeline", `{ kind = server } | by(resource.service.name) | count() > 2 | avg(duration) > 10ms | { status = error } | select(span.http.url, name)`},
	{"aggregates", `{ } | sum(span.bytes) > 100 | min(duration) < 1s | max(duration) >= 1ms`},
	{"by_aggregate", `{ span.http.method = "POST" } | by(resource.service.name, name) | avg(duration) > 45ms | count() > 1`},
}

var metricsGoldenCases = []struct{ name, q string }{
	{"rate_by", `{ kind = server } | rate() by (resource.service.name, name)`},
	{"count", `{ status = error } | count_over_time()`},
	{"quantiles", `{ } | quantile_over_time(duration, .5, .99) by (span.http.route)`},
	{"avg_attr", `{ } | avg_over_time(span.bytes)`},
}

func TestSQLGolden(t *testing.T) {
	for _, c := range goldenCases {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, d := range []Dialect{DuckDB, ClickHouse} {
			s, err := SearchSQL(q, d, SearchOptions{Start: gStart, End: gEnd, Limit: 20, SpansPerSet: 3, MinDuration: time.Millisecond})
			if err != nil {
				t.Fatalf("%s/%s: %v", c.name, d.Name(), err)
			}
			check(t, c.name, s)
			compareGolden(t, "search_"+c.name+"."+d.Name()+".sql", c.q, s)
		}
	}
	// Materialised columns replace map reads.
	mq, _ := Parse(`{ span.http.method = "GET" && span.db.system != nil && resource.k8s.namespace.name = "x" } | by(span.http.route)`)
	for _, d := range []Dialect{DuckDB, ClickHouse} {
		s, err := SearchSQL(mq, d, SearchOptions{Start: gStart, End: gEnd, Limit: 20, SpansPerSet: 3, Materialized: schema.Default()})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "materialized", s)
		compareGolden(t, "search_materialized."+d.Name()+".sql", "materialized", s)
	}
	for _, c := range metricsGoldenCases {
		q, err := Parse(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, d := range []Dialect{DuckDB, ClickHouse} {
			s, err := MetricsSQL(q, d, MetricsOptions{Start: gStart, End: gEnd, Step: time.Minute})
			if err != nil {
				t.Fatalf("%s/%s: %v", c.name, d.Name(), err)
			}
			check(t, c.name, s)
			compareGolden(t, "metrics_"+c.name+"."+d.Name()+".sql", c.q, s)
		}
	}
}

// cteBreak is where the golden files break lines: between CTEs.
var cteBreak = regexp.MustCompile(`\), (\w+ AS \()`)

// literalRE finds SQL string literals.
var literalRE = regexp.MustCompile(`'(?:[^']|'')*'`)

// allowedLiterals are the only string literals compiled SQL holds: no
// user text is ever spliced, it is all in arguments.
var allowedLiterals = map[string]bool{"''": true, "'\x1f'": true, "'Name'": true, "'TraceId'": true, "'SpanId'": true}

// check asserts one argument per placeholder and no user text in the SQL.
func check(t *testing.T, name string, s SQL) {
	t.Helper()
	if msg := checkSQL(s); msg != "" {
		t.Errorf("%s: %s", name, msg)
	}
}

func checkSQL(s SQL) string {
	if n := strings.Count(s.Query, "?"); n != len(s.Args) {
		return fmt.Sprintf("%d placeholders, %d args: %s", n, len(s.Args), s.Query)
	}
	for _, l := range literalRE.FindAllString(s.Query, -1) {
		if !allowedLiterals[l] {
			return fmt.Sprintf("literal %q in SQL: %s", l, s.Query)
		}
	}
	return ""
}

func compareGolden(t *testing.T, file, q string, s SQL) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s\n%s\n", q, cteBreak.ReplaceAllString(s.Query, "),\n  $1"))
	for i, a := range s.Args {
		if tm, ok := a.(time.Time); ok {
			a = tm.Format(time.RFC3339Nano)
		}
		fmt.Fprintf(&b, "-- $%d = %#v\n", i+1, a)
	}
	got := b.String()
	path := filepath.Join("testdata", "golden", file)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: %v (run go test ./internal/query/traceql -update)", path, err)
		return
	}
	if got != string(want) {
		t.Errorf("%s: rendered\n%s\nwant\n%s", path, got, want)
	}
}
