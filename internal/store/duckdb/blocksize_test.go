package duckdb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// blockSizeOf is the block size of s's database file.
func blockSizeOf(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// transientBytes is what DuckDB's buffer manager holds for rows not yet
// checkpointed (the tables' transient segments).
func transientBytes(t *testing.T, s *Store) int64 {
	t.Helper()
	var n int64
	if err := s.db.QueryRow("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBlockSizeNewFile: a new database file gets 64 KiB blocks with the
// parts layout, DuckDB's 256 KiB with the DuckDB layout, or what the
// config says.
func TestBlockSizeNewFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layout string
		size   int
		want   int
	}{
		{"parts default", LayoutParts, 0, 64 << 10},
		{"duckdb layout default", LayoutDuckDB, 0, 256 << 10},
		{"configured", LayoutParts, 16 << 10, 16 << 10},
		{"configured 256 KiB", LayoutParts, 256 << 10, 256 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(Config{Dir: t.TempDir(), Layout: tc.layout, BlockSize: tc.size}, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := blockSizeOf(t, s); got != tc.want {
				t.Errorf("block size %d, want %d", got, tc.want)
			}
		})
	}
}

// TestBlockSizeExistingFile: a file written with 256 KiB blocks (every
// file before this setting) opens with its own block size and its rows.
func TestBlockSizeExistingFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := context.Background()
	s, err := Open(Config{Dir: dir, BlockSize: 256 << 10}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InsertMetrics(ctx, storetest.KindsMetrics()); err != nil {
		t.Fatal(err)
	}
	var want int
	if err := s.db.QueryRow("SELECT count(*) FROM otel_metrics_sum").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(Config{Dir: dir}, testLogger(t)) // default: 64 KiB for a new file
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := blockSizeOf(t, s); got != 256<<10 {
		t.Errorf("block size %d after reopening, want the file's 262144", got)
	}
	var got int
	if err := s.db.QueryRow("SELECT count(*) FROM otel_metrics_sum").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want || want == 0 {
		t.Errorf("%d sum points after reopening, want %d (> 0)", got, want)
	}
}

// TestBlockSizeTransientMemory: once a table's rows are checkpointed, a
// small metrics insert (what the span metrics connector flushes every
// 15 s) holds one transient segment of a whole block per column until
// the next checkpoint — a quarter of the memory with 64 KiB blocks.
func TestBlockSizeTransientMemory(t *testing.T) {
	ctx := context.Background()
	held := map[int]int64{}
	for _, size := range []int{256 << 10, 64 << 10} {
		s, err := Open(Config{Dir: t.TempDir(), BlockSize: size, CheckpointIdle: time.Hour}, testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Unix(1_800_000_000, 0)
		if err := s.InsertMetrics(ctx, storetest.SampleMetricsAt(t0)); err != nil {
			t.Fatal(err)
		}
		if err := s.Checkpoint(); err != nil {
			t.Fatal(err)
		}
		if n := transientBytes(t, s); n != 0 {
			t.Errorf("%d bytes of transient segments after a checkpoint, want 0", n)
		}
		if err := s.InsertMetrics(ctx, storetest.SampleMetricsAt(t0.Add(15*time.Second))); err != nil {
			t.Fatal(err)
		}
		held[size] = transientBytes(t, s)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("transient bytes after a small metrics insert: %v", held)
	if held[64<<10]*4 != held[256<<10] || held[64<<10] == 0 {
		t.Errorf("transient segments hold %d bytes with 64 KiB blocks, %d with 256 KiB: want a quarter", held[64<<10], held[256<<10])
	}
}

func TestBlockSizeValidate(t *testing.T) {
	for _, n := range []int{-1, 1000, 8 << 10, 48 << 10, 512 << 10} {
		if err := (Config{Dir: ".", BlockSize: n}).Validate(); err == nil {
			t.Errorf("block size %d accepted", n)
		}
	}
	for _, n := range []int{0, 16 << 10, 64 << 10, 256 << 10} {
		if err := (Config{Dir: ".", BlockSize: n}).Validate(); err != nil {
			t.Errorf("block size %d refused: %v", n, err)
		}
	}
}
