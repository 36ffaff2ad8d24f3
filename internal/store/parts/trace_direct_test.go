package parts

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// TestDirectMatchesParquetGo: every trace of generated data (1–12
// spans, events, links, attributes), in written and merged parts with
// pages of a few rows (traces cross pages) and of the default size, read
// by the direct reader gives exactly the rows parquet-go's row reader
// gives (parallel and serial), and the direct reader read every row group
// (declined none).
func TestDirectMatchesParquetGo(t *testing.T) {
	for _, pageBytes := range []int{256, 0} {
		t.Run(fmt.Sprintf("page-bytes-%d", pageBytes), func(t *testing.T) {
			tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 400, RowGroupRows: 128, MergeRows: 1500, PageBytes: pageBytes, FlushInterval: time.Hour})
			defer tb.Close()
			want := map[string]int{}
			for seed := range uint64(6) {
				td, w := richSpans(seed+20, 80)
				for id, n := range w {
					want[id] += n
				}
				if err := tb.InsertTraces(context.Background(), td); err != nil {
					t.Fatal(err)
				}
				if seed == 3 { // some parts merged, some not
					if sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{}); err != nil {
						t.Fatal(err)
					} else {
						sn.Release()
					}
					if err := tb.mergeAll(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{}); err != nil {
				t.Fatal(err)
			} else {
				sn.Release()
			}
			groups, declined := directStats.groups.Load(), directStats.declined.Load()
			for id, n := range want {
				direct, err := tb.TraceSpans(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				tb.files.serial.Store(true)
				serial, err := tb.TraceSpans(context.Background(), id)
				tb.files.noDirect.Store(true)
				old, err2 := tb.TraceSpans(context.Background(), id)
				tb.files.noDirect.Store(false)
				tb.files.serial.Store(false)
				if err != nil || err2 != nil {
					t.Fatal(err, err2)
				}
				if len(direct) != n || !reflect.DeepEqual(direct, old) || !reflect.DeepEqual(serial, old) {
					for i := range min(len(direct), len(old)) {
						if !reflect.DeepEqual(direct[i], old[i]) {
							t.Errorf("row %d:\n direct %#v\n old    %#v", i, direct[i], old[i])
							break
						}
					}
					t.Fatalf("trace %s: direct %d spans, parquet-go %d, want %d", id, len(direct), len(old), n)
				}
			}
			if d := directStats.declined.Load() - declined; d != 0 {
				t.Fatalf("the direct reader declined %d row groups", d)
			}
			if g := directStats.groups.Load() - groups; g < int64(2*len(want)) {
				t.Fatalf("the direct reader read %d row groups for %d traces twice", g, len(want))
			}
		})
	}
}
