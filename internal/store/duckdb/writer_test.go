package duckdb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// TestWriterAnswersTruthfullyAcrossStalls holds the commit gate as a
// checkpoint does and checks that an export giving up meanwhile is told
// "not stored" and is indeed not stored (so its retry cannot duplicate it),
// while a patient export commits once the gate opens.
func TestWriterAnswersTruthfullyAcrossStalls(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir(), Layout: LayoutDuckDB}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Now().Add(-time.Minute)

	s.gate.mu.Lock() // a checkpoint is running
	impatient := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		impatient <- s.InsertLogs(ctx, storetest.SampleLogsAt(base, 7))
	}()
	patient := make(chan error, 1)
	go func() {
		patient <- s.InsertLogs(context.Background(), storetest.SampleLogsAt(base.Add(time.Second), 5))
	}()
	if err := <-impatient; !errors.Is(err, context.DeadlineExceeded) {
		s.gate.mu.Unlock()
		t.Fatalf("export that gave up during the stall: err = %v, want deadline exceeded", err)
	}
	s.gate.mu.Unlock()
	if err := <-patient; err != nil {
		t.Fatalf("patient export: %v", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM otel_logs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("stored %d log rows, want 5 (the abandoned batch of 7 must not be stored)", n)
	}
	if _, idle := s.logs.idleSince(); !idle {
		t.Error("writer still counts pending rows after the stall")
	}
}

// TestWriterRefusesAfterMaxQueueWait holds the commit gate (a stalled
// checkpoint) and checks that a patient export is refused as overloaded
// (retryable) once it has waited MaxQueueWait, and that none of its rows
// is stored when the gate opens; and that an export whose context is
// already done is never queued.
func TestWriterRefusesAfterMaxQueueWait(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir(), Layout: LayoutDuckDB, MaxQueueWait: 50 * time.Millisecond}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Now().Add(-time.Minute)

	s.gate.mu.Lock() // a checkpoint is running
	refused := make(chan error, 1)
	go func() {
		refused <- s.InsertLogs(context.Background(), storetest.SampleLogsAt(base, 7))
	}()
	var got error
	select {
	case got = <-refused:
	case <-time.After(30 * time.Second): // generous: the bound is 50ms
		s.gate.mu.Unlock()
		t.Fatal("export not refused while the commit gate was held")
	}
	s.gate.mu.Unlock()
	if !errors.Is(got, store.ErrOverloaded) || !strings.Contains(got.Error(), "max_queue_wait") {
		t.Fatalf("export that waited past max_queue_wait: err = %v, want store.ErrOverloaded naming max_queue_wait", got)
	}

	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.InsertLogs(done, storetest.SampleLogsAt(base, 3)); !errors.Is(err, context.Canceled) {
		t.Fatalf("export with a finished context: err = %v, want context.Canceled", err)
	}
	if err := s.InsertLogs(context.Background(), storetest.SampleLogsAt(base.Add(time.Second), 5)); err != nil {
		t.Fatalf("export after the stall: %v", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM otel_logs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("stored %d log rows, want 5 (the refused batch of 7 and the cancelled one of 3 must not be stored)", n)
	}
	if st := s.logs.statsSnapshot(); st.Withdrawn != 1 {
		t.Errorf("withdrawn batches = %d, want 1", st.Withdrawn)
	}
}

// TestWriterBoundsRowsPerCommit: batches queued while a checkpoint holds
// the gate are committed in groups of at most MaxCommitRows rows (one batch
// at least), not all in one commit whose duration grows with the queue.
func TestWriterBoundsRowsPerCommit(t *testing.T) {
	tests := []struct {
		name          string
		maxCommitRows int
		wantCommits   int64
	}{
		{"bounded: 2 batches of 4 fit in 10 rows", 10, 3},        // 4+4, 4+4, 4
		{"one batch larger than the bound is still taken", 3, 5}, // one each
		{"unbounded", -1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(Config{Dir: t.TempDir(), Layout: LayoutDuckDB, MaxCommitRows: tc.maxCommitRows, MaxQueueWait: -1}, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			base := time.Now().Add(-time.Minute)
			s.gate.mu.Lock() // a checkpoint is running: everything queues
			errs := make(chan error, 5)
			for i := range 5 {
				go func() {
					errs <- s.InsertLogs(context.Background(), storetest.SampleLogsAt(base.Add(time.Duration(i)*time.Second), 4))
				}()
			}
			for {
				s.logs.mu.Lock()
				n := len(s.logs.queue)
				s.logs.mu.Unlock()
				if n == 5 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			before := s.logs.statsSnapshot().Commits
			s.gate.mu.Unlock()
			for range 5 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			if got := s.logs.statsSnapshot().Commits - before; got != tc.wantCommits {
				t.Errorf("commits = %d, want %d", got, tc.wantCommits)
			}
			var rows int
			if err := s.db.QueryRow(`SELECT count(*) FROM otel_logs`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != 20 {
				t.Errorf("stored %d rows, want 20", rows)
			}
		})
	}
}
