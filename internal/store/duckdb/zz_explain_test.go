package duckdb

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

func TestZZExplain(t *testing.T) {
	qs := os.Getenv("TQ")
	if qs == "" {
		t.Skip()
	}
	s, _ := Open(Config{Dir: t.TempDir()}, testLogger(t))
	defer s.Close()
	ctx := context.Background()
	n := 200000
	base := time.Now().Add(-time.Duration(n) * time.Millisecond).Truncate(time.Second)
	for i := 0; i < n; i += 8000 {
		_ = s.InsertTraces(ctx, storetest.SampleTracesAt(base.Add(time.Duration(i)*time.Millisecond), 8000))
	}
	_ = s.Checkpoint()
	q, _ := traceql.Parse(qs)
	sq, err := traceql.SearchSQL(q, traceql.DuckDB, traceql.SearchOptions{Start: base.Add(-time.Minute), End: base.Add(time.Hour), Limit: 20, SpansPerSet: 3})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.db.QueryContext(ctx, "EXPLAIN ANALYZE "+sq.Query, sq.Args...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, b string
		rows.Scan(&a, &b)
		fmt.Println(b)
	}
}
