package parts

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchPartsDir returns the spans parts directory of the data directory
// OVERLOOK_BENCH_PARTS_DIR and its parts' metadata, for the measurement
// tests over an existing directory; it skips the test when the variable
// is not set.
func benchPartsDir(t *testing.T) (string, []*PartMeta) {
	t.Helper()
	dir := os.Getenv("OVERLOOK_BENCH_PARTS_DIR")
	if dir == "" {
		t.Skip("OVERLOOK_BENCH_PARTS_DIR not set")
	}
	parts := filepath.Join(dir, "parts", "otel_traces")
	paths, err := filepath.Glob(filepath.Join(parts, "part-*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no spans parts in %s (%v)", parts, err)
	}
	var metas []*PartMeta
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m := new(PartMeta)
		if err := json.Unmarshal(b, m); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		metas = append(metas, m)
	}
	return parts, metas
}

// benchRounds is OVERLOOK_BENCH_ROUNDS, default 3.
func benchRounds() int {
	rounds, err := strconv.Atoi(os.Getenv("OVERLOOK_BENCH_ROUNDS"))
	if err != nil {
		return 3
	}
	return max(rounds, 1)
}

// sampleTraceIDs returns n trace IDs of random rows of the parts, read
// through o.
func sampleTraceIDs(t *testing.T, o *openFiles, parts string, metas []*PartMeta, r *rand.Rand, n int) [][16]byte {
	t.Helper()
	var ids [][16]byte
	for len(ids) < n {
		m := metas[r.IntN(len(metas))]
		f, err := o.get(filepath.Join(parts, m.File()))
		if err != nil {
			t.Fatal(err)
		}
		rgs := f.pf.RowGroups()
		rg := rgs[r.IntN(len(rgs))]
		rows, err := readRows(rg, []int64{r.Int64N(rg.NumRows())}, nil, false)
		if err := o.release(f); err != nil {
			t.Fatal(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rows[0].TraceId) == 16 {
			ids = append(ids, [16]byte(rows[0].TraceId))
		}
	}
	return ids
}
