package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestNoteAck checks the longest-gap bookkeeping with given times: the gap
// from the start to the first acknowledgement counts, and every gap over
// 500 ms is counted.
func TestNoteAck(t *testing.T) {
	start := time.Unix(1000, 0)
	for _, tc := range []struct {
		name    string
		acks    []time.Duration // after start
		maxGap  time.Duration
		gapsOvr int64
	}{
		{"steady", []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}, 100 * time.Millisecond, 0},
		{"slow first ack", []time.Duration{700 * time.Millisecond, 800 * time.Millisecond}, 700 * time.Millisecond, 1},
		{"one stall", []time.Duration{100 * time.Millisecond, 1600 * time.Millisecond, 1700 * time.Millisecond}, 1500 * time.Millisecond, 1},
		{"exactly the limit is not a stall", []time.Duration{500 * time.Millisecond, 1000 * time.Millisecond}, 500 * time.Millisecond, 0},
		{"two stalls", []time.Duration{600 * time.Millisecond, 1300 * time.Millisecond, 3300 * time.Millisecond}, 2 * time.Second, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &signalLoad{start: start}
			l.lastAck.Store(start.UnixNano())
			for _, a := range tc.acks {
				l.noteAck(start.Add(a))
			}
			if got := time.Duration(l.maxGap.Load()); got != tc.maxGap {
				t.Errorf("max gap %v, want %v", got, tc.maxGap)
			}
			if got := l.gapsOver.Load(); got != tc.gapsOvr {
				t.Errorf("gaps over 500 ms %d, want %d", got, tc.gapsOvr)
			}
		})
	}
}

// TestSpreadAndRate checks -spread's dating (batch k of the budget at
// start-spread+spread×k×batch/rows) and that -rate paces sends, with a
// recording sink: 20 batches of 10 rows at 1000 rows/s cannot finish before
// the 20th is due at 190 ms (a lower bound the pacing's sleeps guarantee,
// not a timing measurement).
func TestSpreadAndRate(t *testing.T) {
	ts, err := pregenerateShape(sigTraces, shapeTen, 2, 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Truncate(time.Second)
	rec := &recordingSink{}
	cfg := loadConfig{signals: []signal{sigTraces}, templates: map[signal][]*template{sigTraces: ts}, concurrency: 2,
		rows: 200, timeout: time.Second, retry: retryPolicy{initial: time.Millisecond, max: time.Millisecond, maxElapsed: time.Second},
		rate: 1000, spread: 24 * time.Hour, runStart: start, interrupt: make(chan struct{})}
	t0 := time.Now()
	res, err := runLoad(context.Background(), cfg, rec)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took < 190*time.Millisecond {
		t.Errorf("20 batches of 10 rows at 1000 rows/s took %v, want ≥ 190 ms (the 20th is due at 190 ms)", took)
	}
	r := res.Signals[sigTraces]
	if r.AckedRows != 200 || len(rec.newest) != 20 {
		t.Fatalf("acked %d rows in %d sends, want 200 in 20", r.AckedRows, len(rec.newest))
	}
	seen := map[int64]bool{}
	for _, ns := range rec.newest {
		// The newest timestamp of batch k is start - 24h + k × 72 min.
		off := time.Unix(0, ns).Sub(start.Add(-24 * time.Hour))
		k := off / (72 * time.Minute)
		if off%(72*time.Minute) != 0 || k < 0 || k >= 20 || seen[int64(k)] {
			t.Errorf("a batch dated %v after start-24h: not a distinct multiple of 72 min below 24 h", off)
		}
		seen[int64(k)] = true
	}
}

// recordingSink acknowledges everything and records each batch's newest
// span start time.
type recordingSink struct {
	mu     sync.Mutex
	newest []int64
}

func (s *recordingSink) send(_ context.Context, _ signal, b []byte) (int64, error) {
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(b)
	if err != nil {
		return 0, err
	}
	var newest int64
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			sp := sss.At(j).Spans()
			for k := range sp.Len() {
				newest = max(newest, int64(sp.At(k).EndTimestamp()))
			}
		}
	}
	s.mu.Lock()
	s.newest = append(s.newest, newest)
	s.mu.Unlock()
	return 0, nil
}

func (s *recordingSink) close() error { return nil }

// TestJaegerLookup checks the span count read from Jaeger's query API and
// the not-found answers (404, and 200 with no spans).
func TestJaegerLookup(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/traces/aa":
			fmt.Fprint(w, `{"data":[{"traceID":"aa","spans":[{},{},{}],"processes":{}}],"total":0}`)
		case "/api/traces/bb":
			fmt.Fprint(w, `{"data":[]}`)
		case "/api/traces/cc":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			http.Error(w, `{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}`, http.StatusNotFound)
		}
	}))
	defer srv.Close()
	lookup := jaegerLookup(strings.TrimPrefix(srv.URL, "http://"))
	if n, err := lookup(context.Background(), "aa"); n != 3 || err != nil {
		t.Errorf("aa: %d spans, %v; want 3", n, err)
	}
	for _, id := range []string{"bb", "dd"} {
		if _, err := lookup(context.Background(), id); !errors.Is(err, errTraceNotFound) {
			t.Errorf("%s: %v, want not found", id, err)
		}
	}
	if _, err := lookup(context.Background(), "cc"); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("cc: %v, want the 500", err)
	}
}

// TestDirSize counts every file under the data dir, nested ones included.
func TestDirSize(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"overlook.duckdb", "keys/000001.sst"} {
		if err := os.WriteFile(filepath.Join(dir, f), make([]byte, 8192), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := dirSize(dir); got != 2*8192 {
		t.Errorf("dirSize %d, want %d", got, 2*8192)
	}
}
