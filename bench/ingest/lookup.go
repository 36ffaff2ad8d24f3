package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// Reading back what was sent: trace-by-ID lookups after the load (traces
// that were acknowledged are sampled, fetched one at a time - latency, not
// throughput - and their span count checked against what was sent), and
// row counts, which show rows stored twice (an export that timed out in the
// server but committed later, then retried by the client).

// errTraceNotFound is a lookup of a trace the store does not have.
var errTraceNotFound = errors.New("trace not found")

// lookupFunc fetches one trace and returns its span count.
type lookupFunc func(ctx context.Context, traceID string) (int, error)

// expectedTrace is a sent trace and its span count.
type expectedTrace struct {
	id    string
	spans int
}

// lookupResult summarises the lookups.
type lookupResult struct {
	Lookups      int     `json:"lookups"`
	NotFound     int     `json:"not_found"`
	Mismatches   int     `json:"wrong_span_count"`
	Errors       int     `json:"errors"`
	FirstProblem string  `json:"first_problem,omitempty"`
	P50ms        float64 `json:"p50_ms"`
	P99ms        float64 `json:"p99_ms"`
	MaxMs        float64 `json:"max_ms"`
	MeanMs       float64 `json:"mean_ms"`
}

// sampleTraces picks up to n distinct traces among the acknowledged
// batches of res.
func sampleTraces(res *signalResult, templates []*template, n int, r *rand.Rand) []expectedTrace {
	if len(res.sent) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []expectedTrace
	for tries := 0; len(out) < n && tries < 10*n; tries++ {
		b := res.sent[r.IntN(len(res.sent))]
		t := templates[b.template]
		if len(t.traces) == 0 {
			continue
		}
		tr := t.traces[r.IntN(len(t.traces))]
		id := maskTraceID(tr.id, masksFor(res.salt, b.seq))
		h := hex.EncodeToString(id[:])
		if !seen[h] {
			seen[h] = true
			out = append(out, expectedTrace{id: h, spans: tr.spans})
		}
	}
	return out
}

// runLookups fetches every trace in order and times each fetch.
func runLookups(ctx context.Context, lookup lookupFunc, traces []expectedTrace, timeout time.Duration) lookupResult {
	var res lookupResult
	var lat []time.Duration
	problem := func(format string, args ...any) {
		if res.FirstProblem == "" {
			res.FirstProblem = fmt.Sprintf(format, args...)
		}
	}
	for _, tr := range traces {
		if ctx.Err() != nil {
			break
		}
		lctx, cancel := context.WithTimeout(ctx, timeout)
		t0 := time.Now()
		n, err := lookup(lctx, tr.id)
		d := time.Since(t0)
		cancel()
		res.Lookups++
		switch {
		case errors.Is(err, errTraceNotFound):
			res.NotFound++
			problem("trace %s not found (sent with %d spans)", tr.id, tr.spans)
		case err != nil:
			res.Errors++
			problem("trace %s: %v", tr.id, err)
		case n != tr.spans:
			res.Mismatches++
			problem("trace %s: %d spans, sent %d", tr.id, n, tr.spans)
		}
		if err == nil {
			lat = append(lat, d)
		}
	}
	ps := percentiles(lat, 0.5, 0.99, 1)
	res.P50ms, res.P99ms, res.MaxMs = ms(ps[0]), ms(ps[1]), ms(ps[2])
	res.MeanMs = ms(mean(lat))
	return res
}

// httpLookup fetches traces from the API: GET /api/traces/{id}.
func httpLookup(api string) lookupFunc {
	client := &http.Client{}
	return func(ctx context.Context, id string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+api+"/api/traces/"+id, nil)
		if err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusNotFound:
			_, _ = io.Copy(io.Discard, resp.Body)
			return 0, errTraceNotFound
		default:
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			return 0, fmt.Errorf("GET /api/traces/%s: %s: %s", id, resp.Status, b)
		}
		var body struct {
			Spans []json.RawMessage `json:"spans"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return 0, fmt.Errorf("decode trace %s: %w", id, err)
		}
		return len(body.Spans), nil
	}
}

// storeLookup adapts the raw store's lookup: no rows means not found.
func storeLookup(s *rawSink) lookupFunc {
	return func(ctx context.Context, id string) (int, error) {
		n, err := s.lookup(ctx, id)
		if err == nil && n == 0 {
			return 0, errTraceNotFound
		}
		return n, err
	}
}

// countFunc counts the stored rows of a signal with a time in [start, end).
type countFunc func(ctx context.Context, sig signal, start, end time.Time) (int64, error)

// countWindow is the time range counted: every row a run sends has a
// timestamp within a few seconds before its send time, or within spread
// before the run's start (-spread).
func countWindow(runStart time.Time, spread time.Duration) (time.Time, time.Time) {
	return runStart.Add(-time.Hour - spread), runStart.Add(24 * time.Hour)
}

// httpCount counts with POST /api/search (its "count" is the number of
// matching rows).
func httpCount(api string) countFunc {
	return func(ctx context.Context, sig signal, start, end time.Time) (int64, error) {
		body, err := json.Marshal(map[string]any{"source": string(sig), "query": "", "limit": 1,
			"start": start.UTC().Format(time.RFC3339Nano), "end": end.UTC().Format(time.RFC3339Nano)})
		if err != nil {
			return 0, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+api+"/api/search", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", sig, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			return 0, fmt.Errorf("count %s: POST /api/search: %s: %s", sig, resp.Status, b)
		}
		var out struct {
			Count int64 `json:"count"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return 0, fmt.Errorf("count %s: decode: %w", sig, err)
		}
		return out.Count, nil
	}
}

// storeCount counts with the store's Search.
func storeCount(s *rawSink) countFunc {
	return func(ctx context.Context, sig signal, start, end time.Time) (int64, error) {
		src, ok := schema.SourceByName(string(sig))
		if !ok {
			return 0, fmt.Errorf("no source %q", sig)
		}
		res, err := s.st.Search(ctx, store.SearchParams{Source: src, Start: start, End: end, Limit: 1})
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", sig, err)
		}
		return res.Count, nil
	}
}

// countRows counts every signal's rows in the run's window.
func countRows(ctx context.Context, count countFunc, sigs []signal, runStart time.Time, spread time.Duration) (map[signal]int64, error) {
	start, end := countWindow(runStart, spread)
	out := map[signal]int64{}
	for _, sig := range sigs {
		n, err := count(ctx, sig, start, end)
		if err != nil {
			return nil, err
		}
		out[sig] = n
	}
	return out, nil
}
