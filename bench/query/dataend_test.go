package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDataEnd: the end of the ranges is just after the newest row of the
// spans and log parts (max_ts of their index files), not now; a data dir
// without part indexes keeps now (ok false); a broken index is an error
// naming the file.
func TestDataEnd(t *testing.T) {
	write := func(t *testing.T, dir, table, name, body string) {
		t.Helper()
		d := filepath.Join(dir, "parts", table)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newest := time.Date(2026, 12, 5, 13, 45, 0, 0, time.UTC)
	tests := []struct {
		name    string
		files   [][3]string // table, file, body
		want    time.Time
		ok, bad bool
	}{
		{name: "empty dir"},
		{name: "spans and logs", ok: true, want: newest.Add(time.Nanosecond), files: [][3]string{
			{"otel_traces", "part-00000001-00000010-h1.json", `{"rows":3,"min_ts":1,"max_ts":` + itoa(newest.Add(-time.Hour).UnixNano()) + `}`},
			{"otel_traces", "part-00000011-00000011-h1.json", `{"rows":3,"min_ts":1,"max_ts":` + itoa(newest.UnixNano()) + `}`},
			{"otel_logs", "part-00000001-00000001-h1.json", `{"rows":3,"min_ts":1,"max_ts":` + itoa(newest.Add(-time.Minute).UnixNano()) + `}`},
			{"otel_traces", "not-a-part.json", `{"max_ts":` + itoa(newest.Add(time.Hour).UnixNano()) + `}`},
		}},
		{name: "logs only", ok: true, want: newest.Add(time.Nanosecond), files: [][3]string{
			{"otel_logs", "part-00000001-00000001-h1.json", `{"max_ts":` + itoa(newest.UnixNano()) + `}`},
		}},
		{name: "broken index", bad: true, files: [][3]string{
			{"otel_traces", "part-00000001-00000001-h1.json", `{"max_ts":`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tc.files {
				write(t, dir, f[0], f[1], f[2])
			}
			end, ok, err := dataEnd(dir)
			if tc.bad {
				if err == nil {
					t.Fatalf("dataEnd = %v, %v, nil; want an error", end, ok)
				}
				return
			}
			if err != nil || ok != tc.ok || !end.Equal(tc.want) {
				t.Fatalf("dataEnd = %v, %v, %v; want %v, %v, nil", end, ok, err, tc.want, tc.ok)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestTimeTraceLookupsPasses: -trace-passes N looks every ID up N times
// (here the timed passes: the warm-up is one more call), each answer
// checked, and the report names the passes.
func TestTimeTraceLookupsPasses(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got[r.URL.Path]++
		mu.Unlock()
		_, _ = w.Write([]byte(`{"spans":[{"SpanId":"01"}]}`))
	}))
	defer srv.Close()
	api := strings.TrimPrefix(srv.URL, "http://")
	ids := []string{"0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"}
	for _, passes := range []int{1, 3} {
		clear(got)
		r, err := timeTraceLookups(api, 0, ids, passes)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if n := got["/api/traces/"+id]; n != passes {
				t.Errorf("passes %d: %s looked up %d times", passes, id, n)
			}
		}
		if named := strings.Contains(r.name, "3 passes"); named != (passes == 3) {
			t.Errorf("passes %d: report %q", passes, r.name)
		}
	}
}
