package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRunAPIRequests runs the API mode against a stub server and checks
// what it asks: the search and chart bodies (source, ranges of 1 h and
// 24 h ending at -end, the group by), and that a non-200 answer fails the
// run with the server's message.
func TestRunAPIRequests(t *testing.T) {
	end := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	seen := map[string]int{}
	fail := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			t.Errorf("%s: body: %v", r.URL.Path, err)
		}
		start, _ := time.Parse(time.RFC3339Nano, body["start"].(string))
		stop, _ := time.Parse(time.RFC3339Nano, body["end"].(string))
		if body["source"] != "logs" || !stop.Equal(end) {
			t.Errorf("%s: source %v, end %v; want logs, %v", r.URL.Path, body["source"], stop, end)
		}
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "the store is closed", http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/api/search":
			if stop.Sub(start) != time.Hour {
				t.Errorf("search over %v, want 1h", stop.Sub(start))
			}
			seen["search "+body["query"].(string)]++
			_, _ = w.Write([]byte(`{"rows":[{}],"count":7}`))
		case "/api/chart":
			if stop.Sub(start) != 24*time.Hour || body["groupBy"] != "ServiceName" {
				t.Errorf("chart over %v by %v, want 24h by ServiceName", stop.Sub(start), body["groupBy"])
			}
			seen["chart"]++
			_, _ = w.Write([]byte(`{"series":[{},{}]}`))
		default:
			t.Errorf("unexpected %s", r.URL.Path)
		}
	}))
	defer srv.Close()
	o := apiOptions{api: strings.TrimPrefix(srv.URL, "http://"), runs: 2, end: end, sources: []string{"logs"}}
	if err := runAPI(o); err != nil {
		t.Fatal(err)
	}
	// A warm-up and 2 runs of each of the 4 measurements.
	want := map[string]int{"search ": 3, "search ServiceName:frontend": 3, "chart": 6}
	for k, n := range want {
		if seen[k] != n {
			t.Errorf("%q asked %d times, want %d (all: %v)", k, seen[k], n, seen)
		}
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	if err := runAPI(o); err == nil || !strings.Contains(err.Error(), "the store is closed") {
		t.Errorf("a 503 gave %v, want an error with the server's message", err)
	}
}

// TestPromqlQueries checks the Prometheus API requests: the query, a 24 h
// range ending at the loaded data's end, steps of 60 and 300 s.
func TestPromqlQueries(t *testing.T) {
	end := time.Date(2026, 12, 6, 7, 23, 0, 0, time.UTC)
	qs := promqlQueries(end)
	if len(qs) != 7 {
		t.Fatalf("%d queries, want 7", len(qs))
	}
	for i, step := range []string{"60", "300"} {
		u, err := url.Parse(qs[3*i+1].get) // repeated: the range ending at end
		if err != nil {
			t.Fatal(err)
		}
		v := u.Query()
		if u.Path != "/prometheus/api/v1/query_range" || v.Get("query") != promqlQuery || v.Get("step") != step ||
			v.Get("end") != "1796541780" || v.Get("start") != "1796455380" {
			t.Errorf("query %d: %s", i, qs[3*i+1].get)
		}
		// cold: a new alignment each call; sliding: one step later each call.
		for n, want := range map[int]string{0: "1796541779", 4: "1796541775"} {
			if v := urlQuery(t, qs[3*i].getRun(n)); v.Get("end") != want || v.Get("step") != step {
				t.Errorf("cold query %d, call %d: %v", i, n, v)
			}
		}
		wantEnd := map[string]string{"60": "1796538390", "300": "1796539350"}[step] // end − 1 h − 30 s + 4 steps
		if v := urlQuery(t, qs[3*i+2].getRun(4)); v.Get("end") != wantEnd || v.Get("step") != step {
			t.Errorf("sliding query %d, call 4: %v", i, v)
		}
	}
	if got := qs[0].note([]byte(`{"data":{"result":[{"values":[[1,"1"],[2,"2"]]},{"values":[[1,"1"]]}]}}`)); got != "2 series, 3 points" {
		t.Errorf("note %q", got)
	}
	if got := qs[6].note([]byte(`{"data":{"result":[{"value":[1,"1"]}]}}`)); got != "1 series" {
		t.Errorf("instant note %q", got)
	}
}

func urlQuery(t *testing.T, get string) url.Values {
	t.Helper()
	u, err := url.Parse(get)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
