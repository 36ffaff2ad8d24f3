package clickhouse

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
	"github.com/overlook-dev/overlook/internal/testing/chdb"
)

// TestOutage: while ClickHouse is down inserts are refused with a
// retryable error (store.ErrUnavailable) and Health says so; once it is
// back the same store reconnects, the refused batch is stored on retry,
// and nothing acknowledged before was lost.
func TestOutage(t *testing.T) {
	srv := chdb.Start(t, chdb.Options{})
	ctx := context.Background()
	st, err := Open(ctx, Config{Endpoint: "http://" + srv.Endpoint, DialTimeout: 2 * time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := time.Now().UTC().Add(-time.Minute)
	if err := st.InsertLogs(ctx, storetest.SampleLogsAt(base, 10)); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	err = st.InsertLogs(ctx, storetest.SampleLogsAt(base.Add(time.Second), 10))
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("insert while down: %v, want store.ErrUnavailable", err)
	}
	if h := st.Health(); !errors.Is(h, store.ErrUnavailable) {
		t.Fatalf("Health while down: %v", h)
	}
	if _, err := st.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Start: base.Add(-time.Hour), End: base.Add(time.Hour)}); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("search while down: %v, want store.ErrUnavailable (503)", err)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	// Without any insert, Health finds the server back (an idle instance
	// taken out of a load balancer by /ready must come back by itself).
	deadline := time.Now().Add(30 * time.Second)
	for st.Health() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("Health still %v 30s after the server came back", st.Health())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The exporter retries the refused batch.
	if err := st.InsertLogs(ctx, storetest.SampleLogsAt(base.Add(time.Second), 10)); err != nil {
		t.Fatalf("retry after restart: %v", err)
	}
	if h := st.Health(); h != nil {
		t.Fatalf("Health after recovery: %v", h)
	}
	res, err := st.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Start: base.Add(-time.Hour), End: base.Add(time.Hour), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 20 {
		t.Fatalf("%d logs stored, want 20 (10 before the outage, 10 retried)", res.Count)
	}
}

// TestAsyncInsert: with async_insert the insert still returns only once
// the rows are written (wait_for_async_insert=1): they are read at once.
func TestAsyncInsert(t *testing.T) {
	st := openTest(t, func(c *Config) { c.AsyncInsert = true })
	defer st.Close()
	ctx := context.Background()
	base := time.Now().UTC().Add(-time.Minute)
	if err := st.InsertLogs(ctx, storetest.SampleLogsAt(base, 25)); err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Start: base.Add(-time.Hour), End: base.Add(time.Hour), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != 25 {
		t.Fatalf("%d logs readable after the acknowledged async insert, want 25", res.Count)
	}
}
