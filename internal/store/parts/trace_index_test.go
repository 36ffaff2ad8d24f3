package parts

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestLookupIndexes: the parts' lookup indexes (trace_index.go) are built
// by lookups and kept, one per published part; a bound of one index
// keeps exactly one and lookups still find exactly each trace's spans;
// merged-away parts' indexes are dropped; and a table reopened builds
// every part's index in the background, after which lookups read every
// row group directly.
func TestLookupIndexes(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, Kind: Traces, PartRows: 400, RowGroupRows: 128, MergeRows: 1500, FlushInterval: time.Hour}
	tb := open(t, cfg)
	want := map[string]int{}
	var ids []string
	// insert writes seeds' traces into parts and merges them (as far as
	// the policy does: none in the background afterwards).
	insert := func(seeds ...uint64) {
		for _, seed := range seeds {
			td, w := richSpans(seed+40, 80)
			for id, n := range w {
				want[id] += n
			}
			if err := tb.InsertTraces(context.Background(), td); err != nil {
				t.Fatal(err)
			}
		}
		sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		sn.Release()
		if err := tb.mergeAll(); err != nil {
			t.Fatal(err)
		}
		ids = ids[:0]
		for id := range want {
			ids = append(ids, id)
		}
		slices.Sort(ids)
	}
	insert(0, 1)
	lookAll := func(tb *Table) {
		t.Helper()
		for _, id := range ids {
			got, err := tb.TraceSpans(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != want[id] {
				t.Fatalf("trace %s: %d spans, want %d", id, len(got), want[id])
			}
		}
	}
	partPaths := func(tb *Table) []string {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		var out []string
		for _, p := range tb.parts {
			out = append(out, filepath.Join(dir, p.meta.File()))
		}
		slices.Sort(out)
		return out
	}
	indexed := func(tb *Table) ([]string, int64) {
		tb.files.mu.Lock()
		defer tb.files.mu.Unlock()
		var out []string
		var sum int64
		for p, ix := range tb.files.indexes {
			out = append(out, p)
			sum += ix.bytes
		}
		slices.Sort(out)
		if sum != tb.files.indexBytes {
			t.Fatalf("indexes hold %d bytes, counted %d", sum, tb.files.indexBytes)
		}
		return out, sum
	}

	lookAll(tb)
	parts := partPaths(tb)
	if len(parts) < 2 {
		t.Fatalf("%d parts: the test needs several", len(parts))
	}
	if got, _ := indexed(tb); !slices.Equal(got, parts) {
		t.Fatalf("indexed %v, parts %v", got, parts)
	}

	tb.files.mu.Lock()
	tb.files.maxIndexBytes = 1
	tb.files.indexes, tb.files.indexBytes = map[string]*partIndex{}, 0
	tb.files.mu.Unlock()
	lookAll(tb)
	if got, _ := indexed(tb); len(got) != 1 {
		t.Fatalf("bound of 1 byte: %d indexes kept", len(got))
	}
	tb.files.mu.Lock()
	tb.files.maxIndexBytes = maxIndexBytes
	tb.files.mu.Unlock()

	lookAll(tb)
	insert(2, 3, 4)
	merged := partPaths(tb)
	if gone := slices.DeleteFunc(slices.Clone(parts), func(p string) bool { return slices.Contains(merged, p) }); len(gone) == 0 {
		t.Fatalf("no part merged away: %v, then %v", parts, merged)
	}
	got, _ := indexed(tb)
	for _, p := range got {
		if !slices.Contains(merged, p) {
			t.Fatalf("index of %s kept after its part was merged away", filepath.Base(p))
		}
	}
	lookAll(tb)
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}

	tb = open(t, cfg)
	defer tb.Close()
	parts = partPaths(tb)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if got, _ := indexed(tb); slices.Equal(got, parts) {
			break
		}
		if time.Now().After(deadline) {
			got, _ := indexed(tb)
			t.Fatalf("reopened: indexed %v, parts %v", got, parts)
		}
	}
	declined := directStats.declined.Load()
	lookAll(tb)
	if d := directStats.declined.Load() - declined; d != 0 {
		t.Fatalf("the direct reader declined %d row groups", d)
	}
}
