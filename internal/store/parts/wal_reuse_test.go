package parts

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// writeGate holds the next write of WAL records once armed: it reports
// that the write began (entered) and, when release gives an error,
// writes half of the bytes (a torn record) and returns it.
type writeGate struct {
	armed   atomic.Bool
	entered chan struct{}
	release chan error
}

type writeGateFile struct {
	walFile
	g *writeGate
}

func (f *writeGateFile) Write(p []byte) (int, error) {
	if f.g.armed.CompareAndSwap(true, false) {
		f.g.entered <- struct{}{}
		if err := <-f.g.release; err != nil {
			n, _ := f.walFile.Write(p[:len(p)/2])
			return n, &os.PathError{Op: "write", Path: "wal", Err: err}
		}
	}
	return f.walFile.Write(p)
}

func (g *writeGate) wrap(w walFile) walFile { return &writeGateFile{walFile: w, g: g} }

// TestWALWriteOutsideLock holds the write of a group commit's records
// and checks that another insert is appended meanwhile (the head fills:
// Stats takes the table lock, which the old code held for the write),
// that neither insert is acknowledged before the write and its fsync
// end, and what each outcome stores: a write that works acknowledges
// both; a failing (torn) write refuses exactly the records not yet
// durable — the one being written and the one appended meanwhile — and
// keeps the acknowledged one, also after a crash (the torn bytes were
// truncated away).
func TestWALWriteOutsideLock(t *testing.T) {
	for _, tc := range []struct {
		name     string
		writeErr error
		crash    bool
		wantRows int64
	}{
		{"write works", nil, false, 60},
		{"write works/crash", nil, true, 60},
		{"write fails", syscall.EIO, false, 20},
		{"write fails/crash", syscall.EIO, true, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			g := &writeGate{entered: make(chan struct{}, 1), release: make(chan error, 1)}
			cfg := Config{Dir: dir, Kind: Traces, PartRows: 1 << 20, FlushInterval: time.Hour, wrapWAL: g.wrap}
			tb := open(t, cfg)
			if err := insert(t, tb, 1, 20); err != nil { // acknowledged
				t.Fatal(err)
			}
			g.armed.Store(true)
			written, appended := make(chan error, 1), make(chan error, 1)
			go func() { written <- insert(t, tb, 2, 20) }()
			released := false
			defer func() {
				if !released {
					g.release <- nil // unwind what the failed test left waiting
				}
			}()
			select {
			case <-g.entered:
			case <-time.After(hangGuard):
				t.Fatal("the group commit's write never began")
			}
			go func() { appended <- insert(t, tb, 3, 20) }()
			waitHeadRows(t, tb, 60, "no insert was appended while the WAL write ran: the table lock is held during the write")
			select {
			case err := <-written:
				t.Fatalf("the insert being written returned (%v) before its write ended", err)
			case err := <-appended:
				t.Fatalf("the insert appended meanwhile returned (%v) before any fsync covered it", err)
			default:
			}
			released = true
			g.release <- tc.writeErr
			err2, err3 := <-written, <-appended
			for _, err := range []error{err2, err3} {
				if tc.writeErr == nil && err != nil {
					t.Fatalf("insert: %v", err)
				}
				if tc.writeErr != nil && (!errors.Is(err, store.ErrUnavailable) || !errors.Is(err, tc.writeErr)) {
					t.Fatalf("insert not durable when the write failed: err = %v, want store.ErrUnavailable wrapping %v", err, tc.writeErr)
				}
			}
			if tc.crash {
				crash(tb)
				tb = open(t, cfg)
			}
			defer tb.Close()
			if got := count(t, tb); got != tc.wantRows {
				t.Fatalf("%d rows stored, want %d", got, tc.wantRows)
			}
		})
	}
}

// TestWALFileReuse checks that the file of a segment whose part is
// published is reused by a later segment (its records overwritten in
// place, so the group commit's fdatasync has no metadata to commit), and
// that a crash with the reused file holding fewer new records than old
// ones stores exactly the acknowledged rows, once: the old records fail
// the CRC of the new segment. A clean Close leaves no WAL file.
func TestWALFileReuse(t *testing.T) {
	for _, kind := range []Kind{Traces, Logs} {
		t.Run(kind.String(), func(t *testing.T) {
			dir := t.TempDir()
			cfg := Config{Dir: dir, Kind: kind, PartRows: 30, FlushInterval: time.Hour, MergeRows: 1 << 20}
			tb := open(t, cfg)
			// Cuts at 40, 80 and 120 rows: segment 1's part is published
			// (its file kept) before the second cut, whose spare (segment
			// 4) reuses the file; the third cut makes segment 4 the one
			// appended to.
			var kept os.FileInfo
			for i := range 6 {
				if err := insert(t, tb, i+1, 20); err != nil {
					t.Fatal(err)
				}
				for tb.Stats().PendingParts > 0 {
					time.Sleep(5 * time.Millisecond)
				}
				if i == 1 {
					var err error
					if kept, err = os.Stat(filepath.Join(dir, recycleName(1))); err != nil {
						t.Fatalf("segment 1's file once its part is published: %v", err)
					}
				}
			}
			fourth, err := os.Stat(filepath.Join(dir, walName(4)))
			if err != nil {
				t.Fatalf("segment 4: %v (WAL files %v)", err, walFiles(t, dir))
			}
			// Nothing appended to segment 4 yet: a new file would be its
			// header; the reused one still has segment 1's bytes.
			if !os.SameFile(kept, fourth) || fourth.Size() != kept.Size() || kept.Size() <= walHeaderSize {
				t.Fatalf("segment 4 (%d bytes) is not segment 1's file (%d bytes)", fourth.Size(), kept.Size())
			}
			if err := insert(t, tb, 7, 10); err != nil { // one record, shorter than segment 1's two
				t.Fatal(err)
			}
			crash(tb)
			tb = open(t, cfg)
			if got := count(t, tb); got != 130 {
				t.Fatalf("after a crash with a reused segment: %d rows, want 130", got)
			}
			if err := tb.Close(); err != nil {
				t.Fatal(err)
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ents {
				if strings.HasSuffix(e.Name(), ".wal") || strings.HasSuffix(e.Name(), ".log") {
					t.Fatalf("%s left after a clean Close", e.Name())
				}
			}
		})
	}
}

// TestReplayFormats replays segments of both formats: format 1 (no
// header, CRC not seeded: left by an older binary), and format 2, whose
// records of an earlier segment (a reused file) end replay.
func TestReplayFormats(t *testing.T) {
	rec := func(seed uint32, payload string) []byte {
		b := binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))
		b = binary.LittleEndian.AppendUint32(b, crc32.Update(seed, castagnoli, []byte(payload)))
		return append(b, payload...)
	}
	header := func(version uint32) []byte {
		return binary.LittleEndian.AppendUint32([]byte(walMagic), version)
	}
	join := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	for _, tc := range []struct {
		name    string
		no      int
		file    []byte
		want    []string
		wantErr string
	}{
		{"format 1", 3, join(rec(0, "a"), rec(0, "bb")), []string{"a", "bb"}, ""},
		{"format 2", 3, join(header(2), rec(walSeed(3), "a"), rec(walSeed(3), "bb")), []string{"a", "bb"}, ""},
		{"format 2, old records after the new", 3, join(header(2), rec(walSeed(3), "a"), rec(walSeed(1), "bb"), rec(walSeed(3), "c")), []string{"a"}, ""},
		{"format 2, only old records", 3, join(header(2), rec(walSeed(1), "a")), nil, ""},
		{"format 2, unseeded records", 3, join(header(2), rec(0, "a")), nil, ""},
		{"format 2, header only", 3, header(2), nil, ""},
		{"format 2, zero-filled tail", 3, join(header(2), rec(walSeed(3), "a"), make([]byte, 64)), []string{"a"}, ""},
		{"unknown version", 3, join(header(9), rec(walSeed(3), "a")), nil, "format version 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), walName(tc.no))
			if err := os.WriteFile(path, tc.file, 0o644); err != nil {
				t.Fatal(err)
			}
			var got []string
			n, err := replaySegment(path, func(p []byte) error { got = append(got, string(p)); return nil })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || n != len(tc.want) || strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("replayed %d records %q (err %v), want %q", n, got, err, tc.want)
			}
		})
	}
}
