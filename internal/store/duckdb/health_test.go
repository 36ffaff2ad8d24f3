package duckdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/store"
)

// smallDisk mounts a tmpfs of size bytes under a temporary directory and
// returns it; the test is skipped where mounting is not permitted (not
// root). CI runs as root.
func smallDisk(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("cannot mount a tmpfs for the full-disk test (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// bulkyLogs returns n log records with ~bodyBytes bodies, each with a
// unique "seq" attribute starting at first.
func bulkyLogs(first, n, bodyBytes int) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	now := time.Now()
	buf := make([]byte, bodyBytes/2)
	for i := range n {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(now))
		// Random bodies: compression must not make them free.
		_, _ = rand.Read(buf)
		lr.Body().SetStr(hex.EncodeToString(buf))
		lr.Attributes().PutInt("seq", int64(first+i))
	}
	return ld
}

// TestStoreRecoversFromFullDisk fills the store's file system until DuckDB
// fails a write, checks that writes are then refused as retryable
// (store.ErrUnavailable) and Health reports why, frees space, and checks
// that the store reopens by itself with every acknowledged row present
// exactly once.
func TestStoreRecoversFromFullDisk(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layout string
		walCap int64
	}{
		// The disk fills during DuckDB's automatic checkpoint after a
		// commit (the commit is durable nonetheless).
		{"checkpoint", LayoutDuckDB, 4 << 20},
		// The disk fills while a commit writes the WAL.
		{"wal", LayoutDuckDB, 1 << 30},
		// The disk fills while the parts' WAL or a part is written.
		{"parts", LayoutParts, 1 << 30},
	} {
		t.Run(tc.name, func(t *testing.T) { testFullDisk(t, tc.layout, tc.walCap) })
	}
}

func testFullDisk(t *testing.T, layout string, walCap int64) {
	dir := smallDisk(t, 64<<20)
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 32<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Config{Dir: filepath.Join(dir, "data"), Layout: layout, MinFreeDisk: -1, CheckpointWALBytes: walCap}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	acked, seq := 0, 0
	var failure error
	for range 400 {
		err := s.InsertLogs(ctx, bulkyLogs(seq, 200, 2000))
		seq += 200
		if err != nil {
			failure = err
			break
		}
		acked += 200
	}
	if failure == nil {
		t.Fatalf("the disk never filled: %d rows stored", acked)
	}
	t.Logf("disk full after %d acknowledged rows: %v", acked, failure)
	if !errors.Is(failure, store.ErrUnavailable) {
		t.Errorf("first refused insert: err = %v, want store.ErrUnavailable (retryable)", failure)
	}
	// The failed write (or the next) must be a retryable refusal, and the
	// store must say why.
	deadline := time.Now().Add(30 * time.Second)
	for s.Health() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("store still healthy after the disk filled; last insert error: %v", failure)
		}
		if err := s.InsertLogs(ctx, bulkyLogs(seq, 200, 2000)); err == nil {
			acked += 200
		}
		seq += 200
		time.Sleep(100 * time.Millisecond)
	}
	herr := s.Health()
	if !errors.Is(herr, store.ErrUnavailable) || !strings.Contains(herr.Error(), "disk") {
		t.Fatalf("Health() = %v, want an ErrUnavailable naming the disk", herr)
	}
	if err := s.InsertLogs(ctx, bulkyLogs(seq, 10, 10)); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("insert while invalidated: err = %v, want store.ErrUnavailable", err)
	}
	seq += 10
	if st := s.Stats(); st.Unhealthy == nil {
		t.Error("Stats().Unhealthy is nil while the store is invalidated")
	}

	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	// Recovered once an insert succeeds again. (A checkpoint right after
	// the reopen may still find too little room and invalidate it again;
	// the store then retries, so poll rather than trust one reading.)
	deadline = time.Now().Add(60 * time.Second)
	for {
		if s.Health() == nil {
			err := s.InsertLogs(ctx, bulkyLogs(seq, 10, 10))
			seq += 10
			if err == nil {
				acked += 10
				break
			}
			// Both refusals are retryable and store nothing: right after
			// the reopen a loaded machine may also keep the batch in the
			// commit queue past max_queue_wait (ErrOverloaded).
			if !errors.Is(err, store.ErrUnavailable) && !errors.Is(err, store.ErrOverloaded) {
				t.Fatalf("insert after recovery: %v", err)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("store not recovered 60s after space was freed: %v", s.Health())
		}
		time.Sleep(200 * time.Millisecond)
	}
	var rows, distinct int
	if err := readRow(t, s, `SELECT count(*), count(DISTINCT LogAttributes['seq']) FROM otel_logs`).Scan(&rows, &distinct); err != nil {
		t.Fatalf("count after recovery: %v", err)
	}
	if rows != acked || distinct != acked {
		t.Fatalf("after recovery: %d rows, %d distinct, want every acknowledged row once (%d)", rows, distinct, acked)
	}
}

// TestDiskFloorRefusesWrites sets a floor above the free space and checks
// that writes are refused, retryably, with a message naming the floor's
// key, and that lowering the need (a floor the disk satisfies) lets them
// through.
func TestDiskFloorRefusesWrites(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir(), MinFreeDisk: 1 << 62}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.InsertLogs(context.Background(), bulkyLogs(0, 3, 10))
	if !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "min_free_disk") {
		t.Fatalf("insert below the floor: err = %v, want store.ErrUnavailable naming min_free_disk", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM otel_logs`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows stored below the floor: %d (err %v), want 0", n, err)
	}
	s.cfg.MinFreeDisk = 1
	s.measureDisk()
	if err := s.InsertLogs(context.Background(), bulkyLogs(0, 3, 10)); err != nil {
		t.Fatalf("insert above the floor: %v", err)
	}
}

func TestEffectiveFloor(t *testing.T) {
	for _, tc := range []struct {
		configured, fs, want int64
	}{
		{0, 100 << 30, DefaultMinFreeDisk}, // default on a big disk
		{0, 2 << 30, 2 << 30 / 10},         // at most 10% of a small one
		{-1, 100 << 30, 0},                 // disabled
		{5 << 20, 100 << 30, 5 << 20},      // configured
	} {
		if got := effectiveFloor(tc.configured, tc.fs); got != tc.want {
			t.Errorf("effectiveFloor(%d, %d) = %d, want %d", tc.configured, tc.fs, got, tc.want)
		}
	}
}
