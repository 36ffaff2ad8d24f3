package query

import (
	"testing"

	"github.com/overlook-dev/overlook/internal/schema"
)

// fuzzCompile compiles n for every source and dialect and checks that the
// SQL carries no user text (see checkRendered).
func fuzzCompile(t *testing.T, input string, n Node) {
	for _, src := range []*schema.Source{&schema.LogsSource, &schema.TracesSource} {
		for _, d := range []Dialect{DuckDB, ClickHouse} {
			where, args, err := Compile(n, src, d)
			if err != nil {
				continue
			}
			if msg := checkRendered(where, args, src, d); msg != "" {
				t.Fatalf("input %q (%s/%s): %s", input, src.Name, d.Name(), msg)
			}
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range execCases {
		if !c.sql {
			f.Add(c.query)
		}
	}
	for _, c := range goldenCases {
		if !c.sql {
			f.Add(c.in)
		}
	}
	for _, s := range []string{`a:(b OR c:d)`, `x:[a TO "b"]`, `\`, `"`, `((((`, `-`, `a:>`, `*:*`, `'; DROP TABLE x; --`, `Duration:>200ms`, `Duration:[1µs TO 2h]`, `SeverityNumber:<3m`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		n, err := Parse(input)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q): error %T is not *SyntaxError", input, err)
			}
			return
		}
		fuzzCompile(t, input, n)
	})
}

func FuzzParseSQL(f *testing.F) {
	for _, c := range execCases {
		if c.sql {
			f.Add(c.query)
		}
	}
	for _, c := range goldenCases {
		if c.sql {
			f.Add(c.in)
		}
	}
	for _, s := range []string{`a = 1; DROP TABLE x`, `a IN (SELECT 1)`, `x = 'a'' OR 1=1 --'`, `"a""b" = 1`, `f(`, `NOT NOT NOT a`, `Duration > 200ms`, `Duration BETWEEN 1.5s AND '2m'`, `x = 5µs`, `1ms`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		n, err := ParseSQL(input)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("ParseSQL(%q): error %T is not *SyntaxError", input, err)
			}
			return
		}
		fuzzCompile(t, input, n)
	})
}
