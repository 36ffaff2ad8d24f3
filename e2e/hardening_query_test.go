package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Issue 9 (query side): a search can neither exhaust the server's memory
// nor pin its CPU past the timeout, client mistakes are 400s, and answers
// are bounded.

// postOTLP sends an OTLP/JSON request to the HTTP receiver.
func (s *server) postOTLP(path string, body any) {
	s.t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post("http://"+s.http+path, "application/json", bytes.NewReader(b))
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		s.t.Fatalf("POST %s: %d %s", path, resp.StatusCode, raw)
	}
}

func (s *server) sendLogs(bodies ...string) {
	now := time.Now().UnixNano()
	var recs []map[string]any
	for i, b := range bodies {
		recs = append(recs, map[string]any{
			"timeUnixNano": strconv.FormatInt(now+int64(i), 10),
			"body":         map[string]any{"stringValue": b},
		})
	}
	s.postOTLP("/v1/logs", map[string]any{"resourceLogs": []any{map[string]any{
		"resource":  map[string]any{"attributes": []any{map[string]any{"key": "service.name", "value": map[string]any{"stringValue": "hardening"}}}},
		"scopeLogs": []any{map[string]any{"logRecords": recs}},
	}}})
}

func (s *server) sendSpan(name string) {
	now := time.Now().UnixNano()
	s.postOTLP("/v1/traces", map[string]any{"resourceSpans": []any{map[string]any{
		"scopeSpans": []any{map[string]any{"spans": []any{map[string]any{
			"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
			"name": name, "kind": 1,
			"startTimeUnixNano": strconv.FormatInt(now-int64(time.Millisecond), 10),
			"endTimeUnixNano":   strconv.FormatInt(now, 10),
		}}}},
	}}})
}

// searchRaw runs a search and returns the status and raw body.
func (s *server) searchRaw(source, q, lang string) (int, string) {
	s.t.Helper()
	now := time.Now().UTC()
	b, _ := json.Marshal(map[string]any{"source": source, "query": q, "whereLanguage": lang, "limit": 1000,
		"start": now.Add(-time.Hour).Format(time.RFC3339Nano), "end": now.Add(time.Minute).Format(time.RFC3339Nano)})
	resp, err := http.Post("http://"+s.api+"/api/search", "application/json", bytes.NewReader(b))
	if err != nil {
		s.t.Fatalf("search %.60q: %v", q, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// vmHWM is the server process's peak resident set in bytes.
func (s *server) vmHWM() int64 {
	s.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		s.t.Fatalf("read status: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	s.t.Fatal("no VmHWM in /proc status")
	return 0
}

func orWords(n int, extra string) string {
	w := make([]string, 0, n)
	for i := range n - 1 {
		w = append(w, fmt.Sprintf("absent%d", i))
	}
	return strings.Join(append(w, extra), " OR ")
}

func TestHardeningQueryManyOrTermsOverLongField(t *testing.T) {
	s := newServer(t, `extensions:
  overlook:
    query:
      max_response_bytes: 200000
    # Data stored before the ingest caps existed, or with them turned off.
    ingest:
      max_span_name_length: 0
`)
	s.start()
	// One span whose name is 2 MB; before the fix each of 250 OR-ed
	// words lower-cased it again (≈ 0.5 GB here, 3.2 GB at 10 MB).
	s.sendSpan("needle " + strings.Repeat("hay ", 512<<10))
	eventually(t, "the long span is searchable", func() bool { return s.chartCount("traces", "needle") == "1" })
	before := s.vmHWM()

	// Over the default max_terms (256): a 400 naming the limit and its key.
	code, body := s.searchRaw("traces", orWords(257, "needle"), "")
	if code != http.StatusBadRequest || !strings.Contains(body, "extensions::overlook::query::max_terms") {
		t.Fatalf("257 terms: %d %.300s", code, body)
	}
	// Under it: the right answer, in bounded memory. The 2 MB row is
	// larger than the configured response cap, so count it with limit
	// semantics: the answer is a 422 naming max_response_bytes …
	code, body = s.searchRaw("traces", orWords(250, "needle"), "")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "extensions::overlook::query::max_response_bytes") ||
		!strings.Contains(body, "200000 bytes") {
		t.Fatalf("over the response cap: %d %.300s", code, body)
	}
	// … while a chart counts the same match without returning the row.
	if got := s.chartCount("traces", orWords(250, "needle")); got != "1" {
		t.Fatalf("chart count of 250 OR terms = %s, want 1", got)
	}
	code, body = s.searchRaw("traces", orWords(250, "nomatch"), "")
	if code != http.StatusOK || !strings.Contains(body, `"count":0}`) {
		t.Fatalf("250 terms, no match: %d %.300s", code, body)
	}
	if grew := s.vmHWM() - before; grew > 300<<20 {
		t.Fatalf("peak RSS grew by %d MiB for 250 OR terms over one 2 MB field, want < 300 MiB", grew>>20)
	}

	// A mixed-type IN list is the caller's mistake: 400, not a DuckDB 500.
	s.sendLogs("mixed")
	code, body = s.searchRaw("logs", "LogAttributes['a'] IN ('a',-1)", "sql")
	if code != http.StatusBadRequest || !strings.Contains(body, "mixes strings and numbers") {
		t.Fatalf("mixed IN: %d %s", code, body)
	}
}

// chartCount counts the rows of source matching where over the last hour
// ("" when the chart fails).
func (s *server) chartCount(source, where string) string {
	var chart struct {
		Series []struct {
			Points [][2]*float64 `json:"points"`
		} `json:"series"`
	}
	now := time.Now().UTC()
	code := s.postJSON("/api/chart", map[string]any{"source": source, "where": where,
		"select": []any{map[string]any{"aggFn": "count"}}, "displayType": "number",
		"start": now.Add(-time.Hour).Format(time.RFC3339Nano), "end": now.Add(time.Minute).Format(time.RFC3339Nano)}, &chart)
	if code != http.StatusOK || len(chart.Series) != 1 || len(chart.Series[0].Points) != 1 || chart.Series[0].Points[0][1] == nil {
		return ""
	}
	return strconv.FormatFloat(*chart.Series[0].Points[0][1], 'f', -1, 64)
}

func TestHardeningQueryLikePathologyAndTimeout(t *testing.T) {
	s := newServer(t, `extensions:
  overlook:
    query_timeout: 2s
`)
	s.start()
	s.sendLogs(strings.Repeat("GET /api/cart 200 ok ", 13), "short", "another ordinary log line of some length")
	eventually(t, "logs are searchable", func() bool { return len(s.search("logs", "").Rows) == 3 })
	// 600 bytes of '%_': DuckDB's backtracking LIKE ran > 5 minutes and
	// ignored the timeout. Now it runs as RE2 and answers at once.
	start := time.Now()
	code, body := s.searchRaw("logs", "Body LIKE '"+strings.Repeat("%_", 200)+"'", "sql")
	if code != http.StatusOK || !strings.Contains(body, `"count":1}`) {
		t.Fatalf("LIKE pathology: %d %.300s", code, body)
	}
	code, body = s.searchRaw("logs", "Body LIKE '"+strings.Repeat("%_", 200)+"x'", "sql")
	if code != http.StatusOK || !strings.Contains(body, `"count":0}`) {
		t.Fatalf("LIKE pathology, no match: %d %.300s", code, body)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("LIKE pathology took %s", d)
	}
	resp, err := http.Get("http://" + s.api + "/ready")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/ready after the pathological query: %v %v", err, resp)
	}
	resp.Body.Close()
}

func TestHardeningQueryTimeoutAnswers504(t *testing.T) {
	// A timeout shorter than any query: every search times out, and the
	// answer is the documented 504 body, not a dropped connection.
	s := newServer(t, `extensions:
  overlook:
    query_timeout: 1ns
`)
	s.start()
	code, body := s.searchRaw("logs", "anything", "")
	if code != http.StatusGatewayTimeout || body != `{"error":"query timed out after 1ns"}`+"\n" {
		t.Fatalf("got %d %q", code, body)
	}
	resp, err := http.Get("http://" + s.api + "/api/fields?source=logs")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusGatewayTimeout || string(raw) != `{"error":"query timed out after 1ns"}`+"\n" {
		t.Fatalf("fields: got %d %q", resp.StatusCode, raw)
	}
}
