package parts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// TestConcurrent inserts from several goroutines while others take
// snapshots (reading them through DuckDB) and the merger and the ticker
// run: every acknowledged row is found once, every snapshot reads at
// least the rows acknowledged before it.
func TestConcurrent(t *testing.T) {
	dir := t.TempDir()
	tb := open(t, Config{Dir: dir, Kind: Traces, PartRows: 40, MergeRows: 200, RowGroupRows: 16,
		FlushInterval: 2 * time.Millisecond})
	const writers, perWriter = 4, 30
	var mu sync.Mutex
	acked := 0
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				seed := w*perWriter + i + 1
				if err := tb.InsertTraces(context.Background(), spans(fmt.Sprintf("svc%d", seed%3), seed, 7)); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked += 7
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	var rwg sync.WaitGroup
	for range 2 {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				mu.Lock()
				before := acked
				mu.Unlock()
				s, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
				if errors.Is(err, store.ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				var n int
				err = db(t).QueryRow("SELECT count(*) FROM (" + ViewSQL(Traces, nil, s.Files) + ")").Scan(&n)
				s.Release()
				if err != nil {
					t.Error(err)
					return
				}
				if n < before {
					t.Errorf("snapshot reads %d rows, %d were acknowledged before it", n, before)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	rwg.Wait()
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	if got := count(t, tb); got != int64(acked) {
		t.Fatalf("%d rows, want %d", got, acked)
	}
	st := tb.Stats()
	if st.Merges == 0 {
		t.Errorf("no merge ran: %+v", st)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	tb = open(t, Config{Dir: dir, Kind: Traces})
	defer tb.Close()
	if got := count(t, tb); got != int64(acked) {
		t.Fatalf("after reopen: %d rows, want %d", got, acked)
	}
}
