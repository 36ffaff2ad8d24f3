package duckdb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// TestWriterAnswersTruthfullyAcrossStalls holds the commit gate as a
// checkpoint does and checks that an export giving up meanwhile is told
// "not stored" and is indeed not stored (so its retry cannot duplicate it),
// while a patient export commits once the gate opens.
func TestWriterAnswersTruthfullyAcrossStalls(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
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
