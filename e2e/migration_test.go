package e2e

import (
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Issue 10, migration: a data directory written by the binary before the
// parts layout (testdata/datadir-duckdb-layout.tgz: spans and logs in
// DuckDB tables, written by overlook at commit c497a16 from
// testdata/legacy-*.json — 3 traces of 4 spans of service legacy-svc, one
// span failed, 2 logs per trace, at 2026-12-06T06:00:00Z) opens with
// today's binary, its rows are read in place beside new rows in parts,
// nothing is lost and nothing counted twice, before and after a restart.
func TestMigrationFromDuckDBLayout(t *testing.T) {
	s := newServer(t, `
extensions:
  overlook:
    storage:
      retention: {logs: 0s, traces: 0s, metrics: 0s}
`)
	untar := exec.Command("tar", "-xzf", "testdata/datadir-duckdb-layout.tgz", "-C", s.dataDir)
	if out, err := untar.CombinedOutput(); err != nil {
		t.Fatalf("unpack the old data dir: %v: %s", err, out)
	}
	s.start()
	const oldTrace = "0000000000000000000000000000abc2" // 0xabc0 + 2: the trace with the failed span
	window := func(source, q string) int64 {
		t.Helper()
		var res searchResult
		code := s.postJSON("/api/search", map[string]any{"source": source, "query": q, "limit": 1000,
			"start": "2026-12-06T05:00:00Z", "end": "2026-12-06T07:00:00Z"}, &res)
		if code != http.StatusOK {
			t.Fatalf("search %s %q: %d %s", source, q, code, res.Error)
		}
		return res.Count
	}
	traceSpans := func(id string) []map[string]any {
		t.Helper()
		var tr struct {
			Spans []map[string]any `json:"spans"`
		}
		if code := s.getJSON("/api/traces/"+id, &tr); code != http.StatusOK {
			t.Fatalf("trace %s: %d", id, code)
		}
		return tr.Spans
	}
	check := func(stage string, wantSpans, wantTraceSpans int64) {
		t.Helper()
		if n := window("traces", "ServiceName:legacy-svc"); n != wantSpans {
			t.Errorf("%s: %d spans of legacy-svc, want %d", stage, n, wantSpans)
		}
		if n := window("traces", `SpanName:"legacy-op-3" AND ResourceAttributes.k8s.pod.name:"legacy-pod-1"`); n != 3 {
			t.Errorf("%s: %d legacy-op-3 spans, want 3", stage, n)
		}
		if n := window("logs", "SeverityText:ERROR"); n != 3 {
			t.Errorf("%s: %d ERROR logs, want 3", stage, n)
		}
		if n := window("logs", `"legacy log"`); n != 6 {
			t.Errorf("%s: %d legacy logs, want 6", stage, n)
		}
		spans := traceSpans(oldTrace)
		if int64(len(spans)) != wantTraceSpans {
			t.Fatalf("%s: trace %s has %d spans, want %d: %v", stage, oldTrace, len(spans), wantTraceSpans, spans)
		}
		failed := 0
		for _, sp := range spans {
			if sp["StatusCode"] == "Error" && sp["StatusMessage"] == "legacy failure" {
				failed++
			}
		}
		if failed != 1 {
			t.Errorf("%s: %d failed spans with their message in trace %s, want 1", stage, failed, oldTrace)
		}
		var logs struct {
			Count int `json:"count"`
		}
		if code := s.getJSON("/api/traces/"+oldTrace+"/logs", &logs); code != http.StatusOK || logs.Count != 2 {
			t.Errorf("%s: trace logs: status %d, %d logs, want 200 and 2", stage, code, logs.Count)
		}
	}
	check("old rows after the upgrade", 12, 4)

	// A late span of the old trace, and a new trace, go to parts: both are
	// read together with the old rows.
	at := time.Date(2026, 12, 6, 6, 0, 5, 0, time.UTC).UnixNano()
	span := func(trace, id, name string) map[string]any {
		return map[string]any{"traceId": trace, "spanId": id, "name": name, "kind": 3,
			"parentSpanId":      "0000000000000300",
			"startTimeUnixNano": strconv.FormatInt(at, 10), "endTimeUnixNano": strconv.FormatInt(at+1e6, 10)}
	}
	s.postOTLP("/v1/traces", map[string]any{"resourceSpans": []any{map[string]any{
		"resource": map[string]any{"attributes": []any{map[string]any{"key": "service.name", "value": map[string]any{"stringValue": "legacy-svc"}}}},
		"scopeSpans": []any{map[string]any{"spans": []any{
			span(oldTrace, "00000000000003ff", "late-child"),
			span("11111111111111111111111111111111", "0000000000000001", "new-root"),
		}}},
	}}})
	check("old and new rows", 14, 5)

	s.stop()
	s.start()
	check("after a restart", 14, 5)
}
