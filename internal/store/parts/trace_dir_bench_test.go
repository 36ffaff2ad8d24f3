package parts

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestTraceLookupDirAB measures trace lookups over the spans parts of an
// existing data directory (opened read-only: nothing is written), the
// direct reader against parquet-go, in alternating blocks of 50 lookups
// so that both see the same machine load: process CPU, p50/p99 and bytes
// allocated per lookup (docs/benchmarks.md, "Issue 10: trace by ID at 50M
// (session 9, h/tbid9)"). 500 trace IDs are sampled from random rows;
// both readers must find the same spans. Skipped unless
// OVERLOOK_BENCH_PARTS_DIR is set:
//
//	OVERLOOK_BENCH_PARTS_DIR=/tmp/perf50m-q go test ./internal/store/parts -run TestTraceLookupDirAB -v -count 1
//
// OVERLOOK_BENCH_ROUNDS (default 3) passes over the IDs per reader.
func TestTraceLookupDirAB(t *testing.T) {
	parts, metas := benchPartsDir(t)
	o := newOpenFiles(maxOpenFiles)
	defer o.close()
	ids := sampleTraceIDs(t, o, parts, metas, rand.New(rand.NewPCG(1, 2)), 500)
	lookup := func(id [16]byte) int {
		hexID := fmt.Sprintf("%x", id[:])
		var out []SpanRow
		for _, m := range metas {
			if m.MayContain(hexID) {
				var err error
				if out, err = o.trace(filepath.Join(parts, m.File()), m, id, out); err != nil {
					t.Fatal(err)
				}
			}
		}
		return len(out)
	}
	spans := 0
	for _, id := range ids { // warm-up: every file opened; both readers agree
		o.noDirect.Store(true)
		a := lookup(id)
		o.noDirect.Store(false)
		if b := lookup(id); a != b || a == 0 {
			t.Fatalf("trace %x: %d spans by parquet-go, %d directly", id, a, b)
		}
		spans += a
	}
	rounds := benchRounds()
	type stats struct {
		cpu   time.Duration
		alloc uint64
		took  []time.Duration
	}
	modes := []string{"parquet-go", "direct"}
	res := map[string]*stats{"parquet-go": {}, "direct": {}}
	for range max(rounds, 1) {
		for blk := 0; blk < len(ids); blk += 50 {
			for _, mode := range modes {
				s := res[mode]
				o.noDirect.Store(mode == "parquet-go")
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				c0 := processCPU()
				for _, id := range ids[blk:min(blk+50, len(ids))] {
					t0 := time.Now()
					lookup(id)
					s.took = append(s.took, time.Since(t0))
				}
				s.cpu += processCPU() - c0
				runtime.ReadMemStats(&m1)
				s.alloc += m1.TotalAlloc - m0.TotalAlloc
			}
		}
	}
	o.noDirect.Store(false)
	t.Logf("%d parts, %d trace IDs, %.1f spans per trace", len(metas), len(ids), float64(spans)/float64(len(ids)))
	for _, mode := range modes {
		s := res[mode]
		n := len(s.took)
		slices.Sort(s.took)
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		t.Logf("%-10s %d lookups: CPU %.2f ms per lookup, p50 %.2f ms, p99 %.2f ms, %.2f MB allocated per lookup", mode, n,
			ms(s.cpu)/float64(n), ms(s.took[n/2]), ms(s.took[n*99/100]), float64(s.alloc)/float64(n)/1e6)
	}
}
