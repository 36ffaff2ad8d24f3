package parts

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// TestRowGroupBlooms: parts of several row groups (written so, or
// merged) keep one TraceId filter per row group, and a lookup searches
// the TraceId pages of the trace's row group only; a part without them
// (written before they were kept) is still read whole.
func TestRowGroupBlooms(t *testing.T) {
	dir := t.TempDir()
	tb := open(t, Config{Dir: dir, Kind: Traces, PartRows: 45, RowGroupRows: 15, MergeRows: 1000, FlushInterval: time.Hour})
	tb.mergeMu.Lock()            // parts as written first
	const batches, rows = 12, 30 // each batch: 10 traces of 3 spans; row groups of 15 rows hold whole traces
	for seed := 1; seed <= batches; seed++ {
		if err := insert(t, tb, seed, rows); err != nil {
			t.Fatal(err)
		}
	}
	lookupAll := func(tb *Table) (groups int64) {
		t.Helper()
		before := tb.files.groupsRead.Load()
		for seed := 1; seed <= batches; seed++ {
			for k := range rows / 3 {
				id := traceID(seed, k)
				got, err := tb.TraceSpans(context.Background(), fmt.Sprintf("%x", id[:]))
				if err != nil || len(got) != 3 {
					t.Fatalf("trace (%d, %d): %d spans, %v; want 3", seed, k, len(got), err)
				}
			}
		}
		return tb.files.groupsRead.Load() - before
	}
	const traces = batches * rows / 3
	check := func(stage string, wantMerged bool) {
		t.Helper()
		if n := count(t, tb); n != batches*rows {
			t.Fatalf("%s: %d rows, want %d", stage, n, batches*rows)
		}
		sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		merged := false
		for i, m := range sn.Metas {
			groups := (m.Rows + 14) / 15 // merges coalesce none here (every group ≥ 15/4)
			if m.First != m.Last {
				merged = true
				groups = int64(len(m.RowGroupBlooms))
			}
			if int64(len(m.RowGroupBlooms)) != groups {
				t.Errorf("%s: part %s (%d rows) keeps %d row-group filters, want %d", stage, sn.Files[i], m.Rows, len(m.RowGroupBlooms), groups)
			}
		}
		sn.Release()
		if merged != wantMerged {
			t.Fatalf("%s: merged parts %v, want %v", stage, merged, wantMerged)
		}
		if got := lookupAll(tb); got != traces {
			t.Errorf("%s: lookups of %d traces searched %d row groups, want one each", stage, traces, got)
		}
	}
	check("written", false)
	tb.mergeMu.Unlock()
	if err := tb.mergeAll(); err != nil {
		t.Fatal(err)
	}
	check("merged", true)
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}

	// The filters survive a restart (the part index); a part whose index
	// lacks them is searched in every row group.
	tb = open(t, Config{Dir: dir, Kind: Traces, PartRows: 45, RowGroupRows: 15, MergeRows: 1000, FlushInterval: time.Hour})
	check("reopened", true)
	tb.mu.Lock()
	var all int64
	for _, p := range tb.parts {
		all += int64(len(p.meta.RowGroupBlooms))
		p.meta.RowGroupBlooms = nil
	}
	tb.mu.Unlock()
	if got := lookupAll(tb); got != traces*all {
		t.Errorf("without filters: %d row groups searched, want %d (every one per lookup)", got, traces*all)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRowGroupMayContain: a filter list not matching the file's row
// groups is ignored; a row group's filter excludes other IDs.
func TestRowGroupMayContain(t *testing.T) {
	a, b := [16]byte{1}, [16]byte{2}
	m := &PartMeta{K: bloomK, RowGroupBlooms: []bloomWords{rowGroupBloom([][16]byte{a, a}, hashMixed), rowGroupBloom([][16]byte{b}, hashMixed)}}
	for _, c := range []struct {
		rg, groups int
		id         [16]byte
		want       bool
	}{
		{0, 2, a, true}, {0, 2, b, false}, {1, 2, b, true}, {1, 2, a, false},
		{0, 3, b, true}, {5, 2, a, true}, // not this file's filters: cannot exclude
	} {
		if got := m.RowGroupMayContain(c.rg, c.groups, c.id); got != c.want {
			t.Errorf("RowGroupMayContain(%d, %d, %x) = %v, want %v", c.rg, c.groups, c.id[:1], got, c.want)
		}
	}
	if _, err := parseMeta("part-00000001-00000002-h0.json", []byte(`{"first":1,"last":2,"hour":0,"rg_blooms":[[1]]}`)); err == nil {
		t.Error("row-group filters without K accepted")
	}
}

// TestBloomFalsePositives: filters of 5,000 trace IDs whose high half
// is constant (64-bit IDs padded with zeros, as older Jaeger and Zipkin
// clients send) against 100,000 other such IDs. The row-group filters'
// hashMixed keeps the design's rate (16 bits per ID, 11 probes:
// ≈ 0.05%); the part filter's hashHalves (kept: older binaries read it)
// gives far more, which the row-group filters then catch. A part
// index's filter is read with hashHalves: every ID it was built with is
// found.
func TestBloomFalsePositives(t *testing.T) {
	id := func(i uint64) (out [16]byte) {
		for b := range 8 {
			out[b] = byte(splitmix(i) >> (8 * b)) // random low half, zero high half
		}
		return out
	}
	const n, probes = 5000, 100_000
	rate := map[int]float64{}
	for _, v := range []int{hashHalves, hashMixed} {
		bloom := newBloom(n)
		for i := range uint64(n) {
			bloomAdd(bloom, bloomK, v, id(i))
		}
		fp := 0
		for i := range uint64(probes) {
			if i < n && !bloomHas(bloom, bloomK, v, id(i)) {
				t.Fatalf("hash %d: ID %d added but not found", v, i)
			}
			if bloomHas(bloom, bloomK, v, id(n+i)) {
				fp++
			}
		}
		rate[v] = float64(fp) / probes
	}
	t.Logf("false positives: hashHalves %.3f%%, hashMixed %.3f%%", 100*rate[hashHalves], 100*rate[hashMixed])
	if rate[hashMixed] > 0.002 {
		t.Errorf("hashMixed: %.3f%% false positives, want ≈ 0.05%%", 100*rate[hashMixed])
	}
	if rate[hashHalves] < 0.05 { // measured 19.5%: what the row-group filters' hash is for
		t.Errorf("hashHalves: %.3f%% false positives; the test no longer shows its weakness", 100*rate[hashHalves])
	}

	mb := newMetaBuilder(1, 1, 0, 10)
	mb.addID(id(7))
	b, err := json.Marshal(mb.finish())
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseMeta("part-00000001-00000001-h0.json", b)
	if err != nil {
		t.Fatal(err)
	}
	x := id(7)
	if !m.MayContain(fmt.Sprintf("%x", x[:])) || !bloomHas(m.Bloom, m.K, hashHalves, x) {
		t.Error("the part filter is not hashHalves' (what older binaries read)")
	}
}

// TestTraceIdPagesComparedRaw: a lookup finds its trace's rows by
// comparing the TraceId page's bytes where they lie (one page per trace
// here: row groups of 15 rows), not through a parquet.Value per row, and
// finds exactly the trace's spans; an ID inside a page's min/max but not
// stored finds none. Before, no page took that path.
func TestTraceIdPagesComparedRaw(t *testing.T) {
	tb := open(t, Config{Dir: t.TempDir(), Kind: Traces, PartRows: 45, RowGroupRows: 15, MergeRows: 1000, FlushInterval: time.Hour})
	defer tb.Close()
	tb.files.noDirect.Store(true) // parquet-go's path (the direct reader's fallback)
	const batches, rows = 4, 30   // 10 traces of 3 spans per batch
	for seed := 1; seed <= batches; seed++ {
		if err := insert(t, tb, seed, rows); err != nil {
			t.Fatal(err)
		}
	}
	if sn, err := tb.Snapshot(context.Background(), time.Time{}, time.Time{}); err != nil {
		t.Fatal(err)
	} else {
		sn.Release()
	}
	for _, stage := range []string{"written", "merged"} {
		if stage == "merged" {
			if err := tb.mergeAll(); err != nil {
				t.Fatal(err)
			}
		}
		before := rawIDPages.Load()
		for seed := 1; seed <= batches; seed++ {
			for k := range rows / 3 {
				id := traceID(seed, k)
				got, err := tb.TraceSpans(context.Background(), fmt.Sprintf("%x", id[:]))
				if err != nil || len(got) != 3 {
					t.Fatalf("%s: trace (%d, %d): %d spans, %v; want 3", stage, seed, k, len(got), err)
				}
				for _, s := range got {
					if string(s.TraceId) != string(id[:]) {
						t.Fatalf("%s: trace (%d, %d) returned a span of trace %x", stage, seed, k, s.TraceId)
					}
				}
			}
		}
		if got, want := rawIDPages.Load()-before, int64(batches*rows/3); got != want {
			t.Errorf("%s: %d TraceId pages compared raw for %d traces, want one each", stage, got, want)
		}
		// Between traces (seed 1, 0) and (seed 1, 1) of one page: no row.
		id := traceID(1, 0)
		id[15] = 2
		if got, err := tb.TraceSpans(context.Background(), fmt.Sprintf("%x", id[:])); err != nil || len(got) != 0 {
			t.Errorf("%s: absent trace: %d spans, %v; want none", stage, len(got), err)
		}
	}
}
