package parts

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// faults makes the WAL files it wraps fail like a full disk: a failing
// Write stores half of its bytes (a torn record) and returns ENOSPC, a
// failing Sync returns ENOSPC if bytes were written since the last
// Sync or Truncate (as delayed allocation fails: a sync with nothing to
// write, after the truncation that frees space, works).
type faults struct {
	writes, syncs atomic.Bool
}

type faultFile struct {
	walFile
	f     *faults
	dirty bool
}

func (f *faultFile) Write(p []byte) (int, error) {
	if f.f.writes.Load() {
		n, _ := f.walFile.Write(p[:len(p)/2])
		f.dirty = f.dirty || n > 0
		return n, &os.PathError{Op: "write", Path: "wal", Err: syscall.ENOSPC}
	}
	n, err := f.walFile.Write(p)
	f.dirty = f.dirty || n > 0
	return n, err
}

func (f *faultFile) Sync() error {
	if f.f.syncs.Load() && f.dirty {
		return &os.PathError{Op: "sync", Path: "wal", Err: syscall.ENOSPC}
	}
	f.dirty = false
	return f.walFile.Sync()
}

func (f *faultFile) Truncate(size int64) error {
	f.dirty = false
	return f.walFile.Truncate(size)
}

func (f *faults) wrap(w walFile) walFile { return &faultFile{walFile: w, f: f} }

// TestWALFullDisk fails WAL writes or fsyncs (ENOSPC) and checks that the
// refused insert is not acknowledged and not stored, that inserts work
// again once the disk has room, and that every acknowledged row survives
// a crash exactly once (the torn record was truncated away: replay does
// not stop before the rows acknowledged after it).
func TestWALFullDisk(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(*faults, bool)
	}{
		{"write", func(f *faults, on bool) { f.writes.Store(on) }},
		{"sync", func(f *faults, on bool) { f.syncs.Store(on) }},
		{"both", func(f *faults, on bool) { f.writes.Store(on); f.syncs.Store(on) }},
	} {
		for _, kind := range []Kind{Traces, Logs} {
			t.Run(tc.name+"/"+kind.String(), func(t *testing.T) {
				dir := t.TempDir()
				var f faults
				cfg := Config{Dir: dir, Kind: kind, PartRows: 1000, FlushInterval: time.Hour, wrapWAL: f.wrap}
				tb := open(t, cfg)
				if err := insert(t, tb, 1, 20); err != nil {
					t.Fatal(err)
				}
				tc.fail(&f, true)
				for seed := 2; seed < 4; seed++ {
					err := insert(t, tb, seed, 20)
					if !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, syscall.ENOSPC) {
						t.Fatalf("insert on a full disk: err = %v, want store.ErrUnavailable wrapping ENOSPC", err)
					}
				}
				st := tb.Stats()
				if st.HeadRows != 20 || st.WALFailures != 2 {
					t.Fatalf("after the failures: %d rows in the head, %d WAL failures; want 20 and 2", st.HeadRows, st.WALFailures)
				}
				if err := tb.Err(); err != nil {
					t.Fatalf("Err() = %v after a truncation that worked, want nil", err)
				}
				tc.fail(&f, false)
				if err := insert(t, tb, 4, 20); err != nil {
					t.Fatalf("insert once the disk has room: %v", err)
				}
				// A crash now: the segment holds records 1 and 4, nothing
				// of 2 and 3.
				crash(tb)
				tb = open(t, Config{Dir: dir, Kind: kind, PartRows: 1000, FlushInterval: time.Hour})
				if got := count(t, tb); got != 40 {
					t.Fatalf("after a crash: %d rows, want the 40 acknowledged", got)
				}
				if err := insert(t, tb, 5, 20); err != nil {
					t.Fatal(err)
				}
				if got := count(t, tb); got != 60 {
					t.Fatalf("after reopening: %d rows, want 60", got)
				}
				if err := tb.Close(); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestWALFullDiskOnCut fails the fsync that seals a segment when a full
// head is cut: the insert that filled it is refused, the part of the
// sealed segment keeps the acknowledged rows (the seal runs after the
// head moved to the next segment: seal.go), and the next cut works.
func TestWALFullDiskOnCut(t *testing.T) {
	dir := t.TempDir()
	var f faults
	tb := open(t, Config{Dir: dir, Kind: Logs, PartRows: 30, FlushInterval: time.Hour, wrapWAL: f.wrap})
	defer tb.Close()
	if err := insert(t, tb, 1, 20); err != nil {
		t.Fatal(err)
	}
	f.syncs.Store(true)
	if err := insert(t, tb, 2, 20); !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("insert filling the head with a failing fsync: err = %v, want store.ErrUnavailable wrapping ENOSPC", err)
	}
	if st := tb.Stats(); st.HeadRows != 0 || st.PendingParts+st.Parts != 1 {
		t.Fatalf("after the failed cut: %+v, want the 20 acknowledged rows in the segment's part, an empty head", st)
	}
	f.syncs.Store(false)
	if err := insert(t, tb, 3, 20); err != nil {
		t.Fatal(err)
	}
	if got := count(t, tb); got != 40 {
		t.Fatalf("after the disk has room: %d rows, want 40", got)
	}
}

// TestPartWriteFailureRetried fails part writes: the table reports it
// (Err), keeps the rows, and publishes the part once writes work again.
func TestPartWriteFailureRetried(t *testing.T) {
	dir := t.TempDir()
	var failing atomic.Bool
	failing.Store(true)
	cfg := Config{Dir: dir, Kind: Traces, PartRows: 20, FlushInterval: time.Hour,
		partFault: func() error {
			if failing.Load() {
				return &os.PathError{Op: "write", Path: "part", Err: syscall.ENOSPC}
			}
			return nil
		}}
	tb := open(t, cfg)
	defer tb.Close()
	if err := insert(t, tb, 1, 20); err != nil { // cut: a part to write
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for tb.Err() == nil {
		if time.Now().After(deadline) {
			t.Fatal("Err() stayed nil while part writes fail")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tb.Err(); !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Err() = %v, want store.ErrUnavailable wrapping ENOSPC", err)
	}
	// Segment 1 is the part's; 2 is appended to, 3 created ahead.
	if st := tb.Stats(); st.PendingParts != 1 || st.Parts != 0 || !slices.Contains(walFiles(t, dir), filepath.Join(dir, walName(1))) {
		t.Fatalf("while failing: %+v, WAL %v; want the part pending and its segment kept", st, walFiles(t, dir))
	}
	failing.Store(false)
	if got := count(t, tb); got != 20 {
		t.Fatalf("after the retry: %d rows, want 20", got)
	}
	if err := tb.Err(); err != nil {
		t.Fatalf("Err() = %v after the part was written", err)
	}
}
