package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// Trace by ID over a loaded data dir (-trace-lookups N, API mode): the
// issue 10 target at 50M spans (p50 ≤ 5 ms, p99 ≤ 20 ms). The trace IDs
// are sampled from the data itself — /api/search over N/20 one-minute
// windows drawn (seeded) from the 24 h before the end (widened to an
// hour when a minute holds none), 20 traces each —
// so any loader's data works; then GET /api/traces/{id} is timed once per
// ID, each answer checked to hold spans. The sampling searches are not
// timed.

// sampleTraceIDs returns up to n distinct trace IDs from the 24 h before end.
func sampleTraceIDs(api string, n int, end time.Time) ([]string, error) {
	r := rand.New(rand.NewPCG(10, uint64(n)))
	seen := map[string]bool{}
	var ids []string
	window := time.Minute
	for tries := 0; len(ids) < n && tries < n; tries++ {
		if tries == 20 && len(ids) == 0 {
			window = time.Hour // sparse data: a minute rarely holds a batch
		}
		from := end.Add(-24*time.Hour + time.Duration(r.Int64N(int64(24*time.Hour-window))))
		body, err := json.Marshal(map[string]any{"source": "traces", "query": "", "limit": 20,
			"start": from.UTC().Format(time.RFC3339Nano), "end": from.Add(window).UTC().Format(time.RFC3339Nano)})
		if err != nil {
			return nil, err
		}
		b, err := post(api, "/api/search", body)
		if err != nil {
			return nil, err
		}
		var res struct {
			Rows []struct {
				TraceID string `json:"TraceId"`
			} `json:"rows"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			return nil, fmt.Errorf("decode search: %w", err)
		}
		for _, row := range res.Rows {
			if len(row.TraceID) == 32 && !seen[row.TraceID] && len(ids) < n {
				seen[row.TraceID] = true
				ids = append(ids, row.TraceID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no trace found in the 24 h before %s to look up", end.UTC().Format(time.RFC3339))
	}
	return ids, nil
}

// timeTraceLookups times GET /api/traces/{id} for each ID, passes times
// over the IDs, and reports p50 / p99 / max and the server CPU per lookup.
func timeTraceLookups(api string, pid int, ids []string, passes int) (result, error) {
	lat := make([]time.Duration, 0, passes*len(ids))
	c0 := procCPU(pid)
	for i := range passes * len(ids) {
		id := ids[i%len(ids)]
		req, err := http.NewRequest(http.MethodGet, "http://"+api+"/api/traces/"+id, nil)
		if err != nil {
			return result{}, err
		}
		t0 := time.Now()
		b, err := do(req)
		d := time.Since(t0)
		if err != nil {
			return result{}, err
		}
		var tr struct {
			Spans []json.RawMessage `json:"spans"`
		}
		if err := json.Unmarshal(b, &tr); err != nil || len(tr.Spans) == 0 {
			return result{}, fmt.Errorf("trace %s: %d spans (%v); sampled from a search, it must have some", id, len(tr.Spans), err)
		}
		lat = append(lat, d)
	}
	cpu := (procCPU(pid) - c0) / time.Duration(len(lat))
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	name := fmt.Sprintf("traces: trace by ID, %d sampled traces (p50; range p99–max; CPU per lookup)", len(ids))
	if passes > 1 {
		name = fmt.Sprintf("traces: trace by ID, %d sampled traces × %d passes (p50; range p99–max; CPU per lookup)", len(ids), passes)
	}
	return result{name: name,
		median: p(0.5), min: p(0.99), max: lat[len(lat)-1], cpu: cpu,
		note: fmt.Sprintf("p50 %s, p99 %s, max %s, server CPU %.2f ms per lookup", ms1(p(0.5)), ms1(p(0.99)), ms1(lat[len(lat)-1]),
			float64(cpu.Microseconds())/1000)}, nil
}

func ms1(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}

// startIngest runs bench/ingest (the binary at path) against the server
// at grpc/api, offering rate spans/s until stop is called: trace by ID
// under concurrent ingest (-ingest-cmd, -ingest-rate).
func startIngest(path, grpc, api string, rate int) (stop func() error, err error) {
	cmd := exec.Command(path, "-target", grpc, "-api", api, "-signal", "traces", "-rate", strconv.Itoa(rate),
		"-concurrency", "8", "-duration", "1h", "-trace-lookups", "0", "-progress", "10s")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	time.Sleep(10 * time.Second) // its templates generated, the offer steady
	return func() error {
		_ = cmd.Process.Signal(syscall.SIGINT) // ends the load; it then counts and reports
		return cmd.Wait()
	}, nil
}
