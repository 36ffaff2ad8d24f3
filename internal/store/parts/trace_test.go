package parts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// TestTraceSpansWhileWriting: lookups running while inserts fill the
// head, cut it, write and merge parts see every span of an acknowledged
// trace exactly once, whichever stage its rows are in.
func TestTraceSpansWhileWriting(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 45, RowGroupRows: 16, MergeRows: 400, FlushInterval: time.Hour})
	defer tb.Close()
	const batches, rows = 40, 30 // each batch: 10 traces of 3 spans
	var acked atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Go(func() {
		for seed := 1; seed <= batches; seed++ {
			if err := insert(t, tb, seed, rows); err != nil {
				errs <- err
				return
			}
			acked.Store(int64(seed))
		}
	})
	wg.Go(func() {
		for lookups := 0; ; lookups++ {
			done := acked.Load() == batches
			seed := int(acked.Load())
			if seed == 0 {
				continue
			}
			for _, s := range []int{seed, 1 + lookups%seed} {
				id := traceID(s, lookups%10)
				got, err := tb.TraceSpans(context.Background(), fmt.Sprintf("%x", id[:]))
				if err != nil {
					errs <- err
					return
				}
				if len(got) != 3 {
					errs <- fmt.Errorf("lookup %d: trace (%d, %d) has %d spans, want 3", lookups, s, lookups%10, len(got))
					return
				}
				for _, r := range got {
					if string(r.TraceId) != string(id[:]) || r.SpanName != "op" || r.ServiceName != fmt.Sprintf("svc%d", s%3) {
						errs <- fmt.Errorf("lookup %d: wrong span %+v", lookups, r)
						return
					}
				}
			}
			if done {
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Then from published and merged parts only (Snapshot waits for the
	// parts being written).
	if n := count(t, tb); n != batches*rows {
		t.Fatalf("%d rows stored, want %d", n, batches*rows)
	}
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	if st := tb.Stats(); st.Merges == 0 || st.PendingParts != 0 || st.HeadRows != 0 {
		t.Fatalf("want merged parts only: %+v", st)
	}
	for seed := 1; seed <= batches; seed++ {
		for k := range rows / 3 {
			id := traceID(seed, k)
			if got, err := tb.TraceSpans(context.Background(), fmt.Sprintf("%x", id[:])); err != nil || len(got) != 3 {
				t.Fatalf("trace (%d, %d): %d spans, %v; want 3", seed, k, len(got), err)
			}
		}
	}
	// Unknown, all-zero and malformed IDs.
	for id, want := range map[string]error{
		"00000000000000000000000000000000": nil, "ffffffffffffffffffffffffffffffff": nil,
		"abc": store.ErrInvalidArgument, "zz000000000000000000000000000000": store.ErrInvalidArgument,
	} {
		got, err := tb.TraceSpans(context.Background(), id)
		if !errors.Is(err, want) || len(got) != 0 {
			t.Errorf("TraceSpans(%q): %d spans, %v; want none, %v", id, len(got), err, want)
		}
	}
}

// TestPartCounts: a part's index counts its rows per service and minute;
// a merge adds its inputs' counts, and keeps none if an input had none
// (a part written before counts were kept).
func TestPartCounts(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 30, MergeRows: 1000, FlushInterval: time.Hour})
	defer tb.Close()
	for seed := 1; seed <= 6; seed++ { // 30 spans each, 1 ms apart, service svc<seed%3>
		if err := insert(t, tb, seed, 30); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, tb); n != 180 {
		t.Fatalf("%d rows, want 180", n)
	}
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Release()
	got := map[string]int64{}
	for _, m := range sn.Metas {
		if !m.CountsKept {
			t.Fatalf("part %s keeps no counts", m.File())
		}
		for _, c := range m.Counts {
			if want := minuteOf(base.UnixNano()); c.Minute != want {
				t.Errorf("minute %d, want %d", c.Minute, want)
			}
			got[c.Service] += c.N
		}
	}
	if want := map[string]int64{"svc0": 60, "svc1": 60, "svc2": 60}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	if tb.Stats().Merges == 0 {
		t.Error("no merge")
	}
	mb := newMetaBuilder(1, 2, 0, 1)
	mb.addMeta(&PartMeta{Rows: 2, CountsKept: true, Counts: []Count{{Service: "a", Minute: 5, N: 2}}})
	mb.addMeta(&PartMeta{Rows: 3, CountsKept: true, Counts: []Count{{Service: "a", Minute: 5, N: 3}}})
	if m := mb.finish(); !m.CountsKept || len(m.Counts) != 1 || m.Counts[0].N != 5 {
		t.Errorf("merged counts %+v", m.Counts)
	}
	mb = newMetaBuilder(1, 2, 0, 1)
	mb.addMeta(&PartMeta{Rows: 2, CountsKept: true, Counts: []Count{{Service: "a", Minute: 5, N: 2}}})
	mb.addMeta(&PartMeta{Rows: 3}) // written before counts were kept
	if m := mb.finish(); m.CountsKept || len(m.Counts) != 0 {
		t.Errorf("merged with a part without counts: kept %v, %+v", m.CountsKept, m.Counts)
	}
}
