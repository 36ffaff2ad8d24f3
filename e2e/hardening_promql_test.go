package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowPromQL sums n subqueries that each evaluate vector(1) at 8.64M steps
// (≈ 1–2 s of engine work apiece, one at a time, so memory stays near one
// term's 140 MB), with no data at all.
func slowPromQL(n int) string {
	terms := make([]string, n)
	for i := range terms {
		terms[i] = fmt.Sprintf("count_over_time(vector(%d)[100d:1s])", i)
	}
	return strings.Join(terms, " + ")
}

func promInstant(api, q string) (*http.Response, error) {
	return http.Get("http://" + api + "/prometheus/api/v1/query?" + url.Values{"query": {q}}.Encode())
}

// TestHardeningPromQLTimeoutIsAnswered: a PromQL query that outlives
// query_timeout gets Prometheus's timeout envelope (503, errorType
// "timeout"). Before the fix the HTTP write timeout (30 s, equal to the
// query timeout) closed the connection first and the client saw no answer;
// the server now raises a write timeout below query_timeout + 10 s.
func TestHardeningPromQLTimeoutIsAnswered(t *testing.T) {
	s := newServer(t, `extensions:
  overlook:
    query_timeout: 2s
    http:
      write_timeout: 2s
`)
	s.start()
	resp, err := promInstant(s.api, slowPromQL(8))
	if err != nil {
		t.Fatalf("no answer (dropped connection?): %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var env struct {
		Status, ErrorType, Error string
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%d %q: %v", resp.StatusCode, raw, err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || env.Status != "error" || env.ErrorType != "timeout" {
		t.Fatalf("got %d %s, want 503 with errorType timeout", resp.StatusCode, raw)
	}
}

// TestHardeningShutdownCancelsQueries: SIGINT while a long query runs stops
// the server promptly (the query is cancelled), where a pinned query used
// to hold shutdown for more than 90 s.
func TestHardeningShutdownCancelsQueries(t *testing.T) {
	s := newServer(t, `extensions:
  overlook:
    query_timeout: 10m
`)
	s.start()
	done := make(chan error, 1)
	go func() {
		resp, err := promInstant(s.api, slowPromQL(60))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(1500 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the slow query finished before shutdown (%v): make it slower", err)
	default:
	}
	start := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.exited:
		t.Logf("stopped %s after SIGINT with a query running", time.Since(start).Round(time.Millisecond))
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after SIGINT with a query in flight:\n%s", tail(s.out.String(), 2000))
	}
	<-done
}
