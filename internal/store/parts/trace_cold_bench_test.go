package parts

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestTraceLookupDirCold measures the first lookups of a fresh server
// over the spans parts of an existing data directory (opened read-only):
// each round starts from a new file cache (no part file open, no footer
// or page index decoded) and looks each of 500 sampled trace IDs up once,
// as bench/reads50m.sh with TRACE_PASSES=1 does through HTTP. It reports
// process CPU, p50/p99 per lookup and the time spent opening part files
// (docs/benchmarks.md, "Issue 10: trace by ID on a fresh server (session
// 10, h/tbid10)"). Skipped unless OVERLOOK_BENCH_PARTS_DIR is set:
//
//	OVERLOOK_BENCH_PARTS_DIR=/tmp/perf50m go test ./internal/store/parts -run TestTraceLookupDirCold -v -count 1
//
// OVERLOOK_BENCH_ROUNDS (default 3) rounds, each over new IDs.
func TestTraceLookupDirCold(t *testing.T) {
	parts, metas := benchPartsDir(t)
	rounds := benchRounds()
	r := rand.New(rand.NewPCG(3, 4))
	sample := func() [][16]byte {
		o := newOpenFiles(len(metas))
		defer o.close()
		return sampleTraceIDs(t, o, parts, metas, r, 500)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	all := make([]string, len(metas))
	for i, m := range metas {
		all[i] = filepath.Join(parts, m.File())
	}
	// Three fresh caches per round, looking up the same IDs once each in
	// alternating blocks of 50 (the machine's load shared): "footers" as
	// before the lookup indexes (the direct reader over the 64 open files'
	// decoded footers, page indexes loaded by first use), "lazy" (lookup
	// indexes built by the lookups), "warmed" (built first, as a Table's
	// Open does in the background: not timed).
	type stats struct {
		cpu  time.Duration
		took []time.Duration
	}
	modes := []string{"footers", "lazy", "warmed"}
	res := map[string]*stats{}
	for _, m := range modes {
		res[m] = &stats{}
	}
	var warmCPU time.Duration
	for range max(rounds, 1) {
		ids := sample()
		caches := map[string]*openFiles{}
		for _, m := range modes {
			caches[m] = newOpenFiles(maxOpenFiles)
		}
		c0 := processCPU()
		if _, err := caches["warmed"].warm(all, nil); err != nil {
			t.Fatal(err)
		}
		warmCPU += processCPU() - c0
		lookup := func(mode string, id [16]byte) int {
			o := caches[mode]
			hexID := fmt.Sprintf("%x", id[:])
			var out []SpanRow
			for i, m := range metas {
				if !m.MayContain(hexID) {
					continue
				}
				if mode != "footers" {
					var err error
					if out, err = o.trace(all[i], m, id, out); err != nil {
						t.Fatal(err)
					}
					continue
				}
				f, err := o.get(all[i])
				if err != nil {
					t.Fatal(err)
				}
				rgs := f.pf.RowGroups()
				for g := range rgs {
					if m.RowGroupMayContain(g, len(rgs), id) {
						if out, err = directTrace(f.pf, f.f, g, id[:], out, true); err != nil {
							t.Fatal(err)
						}
					}
				}
				if err := o.release(f); err != nil {
					t.Fatal(err)
				}
			}
			return len(out)
		}
		for blk := 0; blk < len(ids); blk += 50 {
			for _, mode := range modes {
				s := res[mode]
				c0 := processCPU()
				for _, id := range ids[blk:min(blk+50, len(ids))] {
					t0 := time.Now()
					if lookup(mode, id) == 0 {
						t.Fatalf("trace %x: no spans (%s)", id, mode)
					}
					s.took = append(s.took, time.Since(t0))
				}
				s.cpu += processCPU() - c0
			}
		}
		for _, o := range caches {
			if err := o.close(); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%d parts; warming all lookup indexes took %.0f ms CPU", len(metas), ms(warmCPU)/float64(max(rounds, 1)))
	for _, mode := range modes {
		s := res[mode]
		n := len(s.took)
		slices.Sort(s.took)
		t.Logf("%-8s %d first lookups: CPU %.2f ms per lookup, p50 %.2f ms, p99 %.2f ms", mode, n,
			ms(s.cpu)/float64(n), ms(s.took[n/2]), ms(s.took[n*99/100]))
	}
}

// TestPartMetaCost reports, over the spans parts of an existing data
// directory, what a part file costs to open for lookups (footer decoded)
// and to have every row group's page indexes loaded: CPU and Go heap
// held, per part. Skipped unless OVERLOOK_BENCH_PARTS_DIR is set.
func TestPartMetaCost(t *testing.T) {
	dir := os.Getenv("OVERLOOK_BENCH_PARTS_DIR")
	if dir == "" {
		t.Skip("OVERLOOK_BENCH_PARTS_DIR not set")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "parts", "otel_traces", "part-*.parquet"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no spans parts in %s (%v)", dir, err)
	}
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	o := newOpenFiles(len(paths))
	defer o.close()
	h0 := heap()
	c0 := processCPU()
	groups := 0
	for _, p := range paths {
		f, err := o.get(p)
		if err != nil {
			t.Fatal(err)
		}
		groups += len(f.pf.RowGroups())
		if err := o.release(f); err != nil {
			t.Fatal(err)
		}
	}
	c1 := processCPU()
	h1 := heap()
	for p, f := range o.files {
		for _, rg := range f.pf.RowGroups() {
			for i, cc := range rg.ColumnChunks() {
				if _, err := cc.OffsetIndex(); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if i == f.traceCol {
					if _, err := cc.ColumnIndex(); err != nil {
						t.Fatalf("%s: %v", p, err)
					}
				}
			}
		}
	}
	c2 := processCPU()
	h2 := heap()
	var est int64
	for _, f := range o.files {
		est += indexOf(f.pf).bytes
	}
	n := float64(len(paths))
	t.Logf("lookup indexes: %.0f KB per part as counted against maxIndexBytes", float64(est)/1024/n)
	t.Logf("%d parts, %d row groups: open %.2f ms CPU and %.0f KB heap per part; page indexes %.2f ms CPU and %.0f KB heap per part (%.3f ms per row group)",
		len(paths), groups, float64((c1-c0).Microseconds())/1000/n, float64(h1-h0)/1024/n,
		float64((c2-c1).Microseconds())/1000/n, float64(h2-h1)/1024/n, float64((c2-c1).Microseconds())/1000/float64(groups))
}
