package duckdb

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// readRow runs q through readSQL (so it reads the parts with LayoutParts)
// over all time.
func readRow(t testing.TB, s *Store, q string, args ...any) *sql.Row {
	t.Helper()
	q, release, err := s.readSQL(context.Background(), q, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	return s.db.QueryRow(q, args...)
}

func TestWithCTEs(t *testing.T) {
	for _, tc := range []struct{ q, want string }{
		{"SELECT 1 FROM otel_logs", `WITH a AS (x) SELECT 1 FROM otel_logs`},
		{"WITH s AS (SELECT 1) SELECT * FROM s", `WITH a AS (x), s AS (SELECT 1) SELECT * FROM s`},
		{"  with s AS (SELECT 1) SELECT * FROM s", `WITH a AS (x), s AS (SELECT 1) SELECT * FROM s`},
		{"WITH RECURSIVE s AS (SELECT 1) SELECT * FROM s", `WITH RECURSIVE a AS (x), s AS (SELECT 1) SELECT * FROM s`},
	} {
		if got := withCTEs(tc.q, []string{"a AS (x)"}); got != tc.want {
			t.Errorf("withCTEs(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

// TestReadSQLFindsTables: only statements that name a parts table get its
// CTE; a longer name that starts with it does not count.
func TestReadSQLFindsTables(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		q            string
		traces, logs bool
	}{
		{`SELECT 1 FROM otel_traces`, true, false},
		{`SELECT 1 FROM "otel_traces" JOIN otel_logs USING (TraceId)`, true, true},
		{`SELECT 1 FROM otel_traces_trace_id_ts`, false, false},
		{`SELECT 1 FROM otel_metrics_gauge`, false, false},
		{"SELECT count(*) FROM otel_logs\nWHERE true", false, true},
	} {
		got, release, err := s.readSQL(context.Background(), tc.q, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		release()
		for name, want := range map[string]bool{`"otel_traces" AS NOT MATERIALIZED`: tc.traces, `"otel_logs" AS NOT MATERIALIZED`: tc.logs} {
			if has := contains(got, name); has != want {
				t.Errorf("readSQL(%q): CTE %s present %v, want %v:\n%s", tc.q, name, has, want, got)
			}
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
