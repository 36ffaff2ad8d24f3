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
