package parts

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// sealGate holds the next fsync of a WAL file once armed: it reports
// that the fsync began (entered) and returns what release gives (nil:
// the real fsync runs).
type sealGate struct {
	armed   atomic.Bool
	entered chan struct{}
	release chan error
}

type gateFile struct {
	walFile
	g *sealGate
}

func (f *gateFile) Sync() error {
	if f.g.armed.CompareAndSwap(true, false) {
		f.g.entered <- struct{}{}
		if err := <-f.g.release; err != nil {
			return &os.PathError{Op: "sync", Path: "wal", Err: err}
		}
	}
	return f.walFile.Sync()
}

func (g *sealGate) wrap(w walFile) walFile { return &gateFile{walFile: w, g: g} }

// hangGuard is how long a step that must happen may take before the
// test fails instead of hanging (not a timing assertion: on the old code
// the step never happens).
const hangGuard = 20 * time.Second

// TestSealOutsideLock holds the fsync that seals a segment (a cut) and
// checks that an insert meanwhile is appended to the next segment (the
// head fills while the seal runs: the table lock is not held), that its
// acknowledgement waits for the seal, and what each outcome stores: a
// seal that works acknowledges both; a failing seal refuses exactly the
// records of its segment not yet durable (the insert that filled the
// head), not the earlier acknowledged one nor the one in the next
// segment. Checked once the part is written and after a crash that keeps
// the segments (part writes failing): the refused record was truncated
// from the segment, so replay does not bring it back.
func TestSealOutsideLock(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sealErr  error
		crash    bool
		wantRows int64
	}{
		{"seal works", nil, false, 60},
		{"seal works/crash", nil, true, 60},
		{"seal fails", syscall.EIO, false, 40},
		{"seal fails/crash", syscall.EIO, true, 40},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			g := &sealGate{entered: make(chan struct{}, 1), release: make(chan error, 1)}
			var partsFail atomic.Bool
			partsFail.Store(tc.crash)
			cfg := Config{Dir: dir, Kind: Traces, PartRows: 30, FlushInterval: time.Hour, wrapWAL: g.wrap,
				partFault: func() error {
					if partsFail.Load() {
						return errors.New("held: the test crashes with the segments kept")
					}
					return nil
				}}
			tb := open(t, cfg)
			if err := insert(t, tb, 1, 20); err != nil { // acknowledged, in segment 1
				t.Fatal(err)
			}
			g.armed.Store(true)
			filled, next := make(chan error, 1), make(chan error, 1)
			go func() { filled <- insert(t, tb, 2, 20) }() // 40 rows: the cut seals segment 1
			released := false
			defer func() {
				if !released {
					g.release <- nil // unwind what the failed test left waiting
				}
			}()
			select {
			case <-g.entered:
			case <-time.After(hangGuard):
				t.Fatal("the cut's seal never began")
			}
			go func() { next <- insert(t, tb, 3, 20) }() // into segment 2
			waitHeadRows(t, tb, 20, "no insert was appended while the seal's fsync ran: the table lock is held during the seal")
			select {
			case err := <-next:
				t.Fatalf("the insert into the next segment returned (%v) before the seal of the previous one", err)
			case err := <-filled:
				t.Fatalf("the insert that filled the head returned (%v) before its segment was sealed", err)
			default:
			}
			released = true
			g.release <- tc.sealErr
			err2, err3 := <-filled, <-next
			if tc.sealErr == nil && err2 != nil {
				t.Fatalf("insert sealed by a working fsync: %v", err2)
			}
			if tc.sealErr != nil && (!errors.Is(err2, store.ErrUnavailable) || !errors.Is(err2, tc.sealErr)) {
				t.Fatalf("insert whose seal failed: err = %v, want store.ErrUnavailable wrapping %v", err2, tc.sealErr)
			}
			if err3 != nil {
				t.Fatalf("insert into the next segment: %v", err3)
			}
			if tc.crash {
				crash(tb)
				partsFail.Store(false)
				tb = open(t, cfg)
			}
			defer tb.Close()
			if got := count(t, tb); got != tc.wantRows {
				t.Fatalf("%d rows stored, want %d", got, tc.wantRows)
			}
		})
	}
}

// waitHeadRows waits until the table's head holds rows rows, or fails
// with why after hangGuard. Stats takes the table lock, so it returning
// proves the lock is free.
func waitHeadRows(t *testing.T, tb *Table, rows int, why string) {
	t.Helper()
	reached := make(chan struct{})
	go func() {
		for tb.Stats().HeadRows != rows {
			time.Sleep(time.Millisecond)
		}
		close(reached)
	}()
	select {
	case <-reached:
	case <-time.After(hangGuard):
		t.Fatal(why)
	}
}
