package traceql

import (
	"errors"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/query/traceql/traceqltest"
)

func TestParseConformanceQueries(t *testing.T) {
	for _, c := range traceqltest.Cases {
		if _, err := Parse(c.Query); err != nil {
			t.Errorf("%s: %v", c.Query, err)
		}
	}
}

// TestParseErrors: every error is a *query.SyntaxError at the offending
// position, with a message naming the fix.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		q   string
		pos int
		msg string
	}{
		{`{ name = }`, 9, "expected a value"},
		{`{ name = "x"`, 12, `expected "}"`},
		{`{ name == "x" }`, 8, "expected a value"},
		{`name = "x"`, 0, "expected a spanset"},
		{`{ foo = 1 }`, 2, "write an attribute as .foo"},
		{`{ duration > 5 }`, 13, "duration compares with a duration"},
		{`{ status = "error" }`, 11, "status compares with error, ok or unset"},
		{`{ kind > server }`, 2, "kind compares with = or != only"},
		{`{ span.a =~ 5 }`, 12, "needs a string regular expression"},
		{`{ span.a = server }`, 11, "quote the text"},
		{`{ span.a > nil }`, 2, "compares with = or != only"},
		{`{ name = "x }`, 9, "unterminated string"},
		{`{ duration > 5xs }`, 14, "unknown duration unit"},
		{`{ } | count()`, 13, "expected a comparison after count()"},
		{`{ } | count() > "a"`, 16, "compares with a number"},
		{`{ } | frob()`, 6, "unknown pipeline function frob()"},
		{`{ } | rate() | count() > 1`, 15, "nothing may follow the metrics function"},
		{`({ } | rate())`, 7, "must be the last stage"},
		{`{ } | quantile_over_time(duration)`, 33, "needs at least one quantile"},
		{`{ } | quantile_over_time(duration, 2)`, 35, "a quantile is a number from 0 to 1"},
		{`{ event.x = 1 }`, 2, "not supported"},
		{`{ span. = 1 }`, 2, "has no name"},
		{`{ } $`, 4, "unexpected character"},
		{`{ } }`, 4, "expected end of query"},
		{strings.Repeat("(", 100) + "{}" + strings.Repeat(")", 100), 64, "nests deeper than 64"},
		{strings.Repeat("x", MaxQueryBytes+1), MaxQueryBytes, "over the limit"},
	}
	for _, c := range cases {
		_, err := Parse(c.q)
		var se *query.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: %v, want a SyntaxError", c.q, err)
			continue
		}
		if se.Pos != c.pos || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("%q: at %d %q, want at %d containing %q", c.q, se.Pos, se.Msg, c.pos, c.msg)
		}
	}
}

// TestCompileErrors: fields that cannot be used where written.
func TestCompileErrors(t *testing.T) {
	for q, msg := range map[string]string{
		`{ } | avg(name) > 1`:            "is not a number",
		`{ } | by(event:name)`:           "cannot be grouped or selected",
		`{ } | rate() by (link:traceID)`: "cannot be grouped",
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if pq.Metrics != nil {
			_, err = MetricsSQL(pq, DuckDB, MetricsOptions{Start: gStart, End: gEnd, Step: 60e9})
		} else {
			_, err = SearchSQL(pq, DuckDB, SearchOptions{Start: gStart, End: gEnd, Limit: 1, SpansPerSet: 1})
		}
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", q, err, msg)
		}
	}
}

func TestParseShapes(t *testing.T) {
	q, err := Parse(`{ span.a = 1 } >> { .b = "x" } && { } | by(name) | count() > 1 | select(span.c)`)
	if err != nil {
		t.Fatal(err)
	}
	pl, ok := q.Spans.(*Pipeline)
	if !ok || len(pl.Stages) != 3 {
		t.Fatalf("%#v", q.Spans)
	}
	and, ok := pl.Src.(*SpansetOp)
	if !ok || and.Op != "&&" {
		t.Fatalf("top op %#v", pl.Src)
	}
	if d, ok := and.L.(*SpansetOp); !ok || d.Op != ">>" {
		t.Fatalf("structural binds tighter than &&: %#v", and.L)
	}
	if len(q.By) != 1 || q.By[0].Intrinsic != IName || len(q.Select) != 1 || q.Select[0].Key != "c" {
		t.Fatalf("by %v select %v", q.By, q.Select)
	}
	for in, want := range map[string]int64{`1.5s`: 1500e6, `100ms`: 100e6, `2m`: 120e9, `1h`: 3600e9, `10us`: 10e3, `7ns`: 7, `3µs`: 3e3} {
		q, err := Parse(`{ duration > ` + in + ` }`)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Spans.(*Filter).Cond.(*Cmp).Value.D; got != want {
			t.Errorf("%s: %d, want %d", in, got, want)
		}
	}
}

func TestSliceable(t *testing.T) {
	for q, want := range map[string]bool{
		`{ status = error }`:                   true,
		`{ .a = 1 } >> { .b = 2 }`:             true,
		`{ } | by(name) | select(span.x)`:      true,
		`{ } | count() > 2`:                    false,
		`({ } | avg(duration) > 1s) && { }`:    false,
		`{ traceDuration > 1s }`:               false,
		`{ !(trace:duration < 1s) || .a = 1 }`: false,
		`{ } | { rootName = "x" }`:             true,
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := pq.Sliceable(); got != want {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
}
