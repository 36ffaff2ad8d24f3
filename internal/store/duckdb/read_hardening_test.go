package duckdb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

func openReadTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(Config{Dir: filepath.Join(t.TempDir(), "data")}, testLogger(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// insertLog stores one log at ts with body and n attributes a0..a(n-1).
func insertLog(t *testing.T, s *Store, ts time.Time, body string, n int) {
	t.Helper()
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(ts))
	lr.Body().SetStr(body)
	for i := range n {
		lr.Attributes().PutStr(fmt.Sprintf("a%d", i), "v")
	}
	lr.Attributes().PutStr("a", "x")
	if err := s.InsertLogs(context.Background(), ld); err != nil {
		t.Fatalf("InsertLogs: %v", err)
	}
}

func searchLogs(s *Store, ts time.Time, q, lang string) (store.SearchResult, error) {
	n, err := query.ParseLimited(q, lang, query.Limits{})
	if err != nil {
		return store.SearchResult{}, err
	}
	src, _ := schema.SourceByName("logs")
	return s.Search(context.Background(), store.SearchParams{Source: src, Filter: n,
		Start: ts.Add(-time.Minute), End: ts.Add(time.Minute)})
}

// A row stored with more attributes than MaxReadAttributes reads back with
// exactly MaxReadAttributes (issue 9, finding 4, read side).
func TestSearchCapsAttributesPerRow(t *testing.T) {
	s := openReadTest(t)
	ts := time.Now().UTC()
	insertLog(t, s, ts, "many", MaxReadAttributes+500)
	res, err := searchLogs(s, ts, "many", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 {
		t.Fatalf("rows = %d, want 1", len(res.Rows))
	}
	if got := len(res.Rows[0]["LogAttributes"].(map[string]string)); got != MaxReadAttributes {
		t.Fatalf("attributes read = %d, want %d", got, MaxReadAttributes)
	}
}

// Pathological LIKE patterns run as RE2 and finish; before, DuckDB's
// backtracking matcher ran for minutes and ignored the interrupt.
func TestSearchLikePathologyIsLinear(t *testing.T) {
	s := openReadTest(t)
	ts := time.Now().UTC()
	for i := range 5 {
		insertLog(t, s, ts, strings.Repeat("abcdefghij", 20)+fmt.Sprint(i), 0)
	}
	for _, tc := range []struct {
		q    string
		want int64
	}{
		{"Body LIKE '" + strings.Repeat("%_", 200) + "'", 5},
		{"Body LIKE '" + strings.Repeat("%_", 200) + "x'", 0},
		{"Body ILIKE '" + strings.Repeat("%A", 15) + "%'", 5},
		{"Body NOT LIKE '" + strings.Repeat("%a", 15) + "%'", 0},
		{"Body LIKE 'abc_e%'", 5},
		{"Body LIKE '%j4'", 1},
	} {
		res, err := searchLogs(s, ts, tc.q, "sql")
		if err != nil {
			t.Fatalf("%s: %v", tc.q, err)
		}
		if res.Count != tc.want {
			t.Errorf("%.40s…: count %d, want %d", tc.q, res.Count, tc.want)
		}
	}
}

// A value DuckDB cannot convert is the caller's mistake: ErrInvalidArgument.
func TestSearchConversionErrorIsInvalidArgument(t *testing.T) {
	if got := readErr(fmt.Errorf("wrap: %w", errors.New("Conversion Error: Could not convert string 'a' to INT32"))); !errors.Is(got, store.ErrInvalidArgument) {
		t.Fatalf("readErr(conversion) = %v, want ErrInvalidArgument", got)
	}
	if got := readErr(errors.New("IO Error: disk")); errors.Is(got, store.ErrInvalidArgument) {
		t.Fatalf("readErr(IO) = %v, want not ErrInvalidArgument", got)
	}
}

// Cancelling a running statement's context interrupts DuckDB
// (duckdb-go's QueryContext interrupts the connection on cancel).
func TestQueryContextInterrupts(t *testing.T) {
	s := openReadTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var n int64
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM range(1000000000000) t(a) WHERE a % 7 = 3").Scan(&n)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}
