package duckdb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
)

// TestChartQueryInterrupted: cancelling the context (the API does when
// the client goes away or the query timeout passes) interrupts a running
// statement instead of letting it finish.
func TestChartQueryInterrupted(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	q := query.ChartQuery{SQL: "SELECT CAST(count(*) AS DOUBLE) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1",
		Columns: []query.ColumnKind{query.ColFloat}}
	err = s.runChartQuery(ctx, q, time.Time{}, time.Time{}, func([]any) error { return nil })
	if err == nil {
		t.Fatalf("a 10^12-row statement finished")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("interrupted after %v", el)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Logf("error after interrupt: %v", err)
	}
}
