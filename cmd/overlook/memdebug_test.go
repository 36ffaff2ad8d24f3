package main

import (
	"encoding/json"
	"net/http/httptest"
	"runtime"
	"testing"
)

// TestMemoryBreakdown: /debug/memory answers JSON with the Go runtime's
// classes, the parts store's mappings and, on Linux, the kernel's
// resident set; the Go total is at least the heap in use.
func TestMemoryBreakdown(t *testing.T) {
	rec := httptest.NewRecorder()
	memoryBreakdown(rec, httptest.NewRequest("GET", "/debug/memory", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var got map[string]int64
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("body %q: %v", rec.Body.String(), err)
	}
	for _, k := range []string{"go/memory/classes/total", "go/memory/classes/heap/objects", "go/gc/heap/goal", "parts/mapped", "parts/page_arenas"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %v", k, got)
		}
	}
	if got["go/memory/classes/total"] < got["go/memory/classes/heap/objects"] || got["go/memory/classes/heap/objects"] <= 0 {
		t.Errorf("Go total %d, heap objects %d", got["go/memory/classes/total"], got["go/memory/classes/heap/objects"])
	}
	if runtime.GOOS == "linux" && (got["smaps/Rss"] <= 0 || got["smaps/Anonymous"] <= 0 || got["smaps/Rss"] < got["smaps/Anonymous"]) {
		t.Errorf("smaps Rss %d, Anonymous %d", got["smaps/Rss"], got["smaps/Anonymous"])
	}
}
