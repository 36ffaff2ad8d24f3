package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"

	"github.com/overlook-dev/overlook/internal/store/parts"
)

// memoryBreakdown serves /debug/memory on the profiles' listener: where
// the process's resident memory is at this moment, as JSON — the Go
// runtime's memory classes (runtime/metrics), the parts store's mappings
// outside the Go heap, and the kernel's view (/proc/self/smaps_rollup:
// anonymous vs file-backed, lazily freed). What is neither Go's nor the
// parts store's anonymous memory is the C side (DuckDB, cgo). Used to
// break a peak RSS down (docs/benchmarks.md, "Issue 10: peak RSS with
// bench/ingest's spans").
func memoryBreakdown(w http.ResponseWriter, _ *http.Request) {
	out := map[string]int64{}
	var samples []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") || d.Name == "/gc/heap/goal:bytes" || d.Name == "/gc/heap/live:bytes" {
			samples = append(samples, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(samples)
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			out["go"+strings.TrimSuffix(s.Name, ":bytes")] = int64(s.Value.Uint64())
		}
	}
	out["parts/mapped"] = parts.MappedBytes()
	out["parts/page_arenas"] = parts.PageArenaBytes()
	if b, err := os.ReadFile("/proc/self/smaps_rollup"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			f := strings.Fields(v)
			if !ok || len(f) != 2 || f[1] != "kB" {
				continue
			}
			if n, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				out["smaps/"+k] = n << 10
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	_ = enc.Encode(out)
}
