package query

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/schema"
)

func BenchmarkParseCompile(b *testing.B) {
	const q = `service:checkout level:error -http.method:GET LogAttributes.http.status_code:>=500 "card declined" timeout*`
	b.ReportAllocs()
	for b.Loop() {
		n, err := Parse(q)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := Compile(n, &schema.LogsSource, DuckDB); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCompileSQL(b *testing.B) {
	const q = `ServiceName = 'checkout' AND lower(SeverityText) IN ('error', 'warn') AND LogAttributes['http.status_code'] >= 500`
	b.ReportAllocs()
	for b.Loop() {
		n, err := ParseSQL(q)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := Compile(n, &schema.LogsSource, ClickHouse); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenMatch compares DuckDB strategies for a bare-word token match
// over 1M log bodies (about 1 in 1000 contains the token, a few more contain
// it as a substring of a longer word).
func BenchmarkTokenMatch(b *testing.B) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t AS SELECT
		CASE WHEN i % 1000 = 0 THEN 'request failed: Timeout after ' || i || 'ms'
		     WHEN i % 1000 = 1 THEN 'timeouts configured for host-' || i
		     ELSE 'GET /api/v1/items/' || i || ' served in ' || (i % 97) || 'ms user=' || md5(i::VARCHAR) END AS Body
		FROM range(1000000) r(i)`); err != nil {
		b.Fatal(err)
	}
	m := newTokenMatch([]string{"timeout"})
	strategies := []struct {
		name, where string
		args        []any
	}{
		{"regexp", `regexp_matches(Body, ?)`, []any{m.regex}},
		{"ilike+regexp", `Body ILIKE ? AND regexp_matches(Body, ?)`, []any{"%timeout%", m.regex}},
		{"contains_lower+regexp", `contains(lower(Body), ?) AND regexp_matches(Body, ?)`, []any{"timeout", m.regex}},
		{"regexp_lower_no_i", `regexp_matches(lower(Body), ?)`, []any{strings.TrimPrefix(m.regex, "(?i)")}},
		{"ilike_only(substring,wrong)", `Body ILIKE ?`, []any{"%timeout%"}},
	}
	var want int
	for i, s := range strategies {
		b.Run(s.name, func(b *testing.B) {
			var n int
			for b.Loop() {
				if err := db.QueryRow("SELECT count(*) FROM t WHERE "+s.where, s.args...).Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
			if i == 0 {
				want = n
			} else if !strings.Contains(s.name, "wrong") && n != want {
				b.Fatalf("%s matched %d rows, regexp matched %d", s.name, n, want)
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}
