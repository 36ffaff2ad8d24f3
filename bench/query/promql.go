package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// The PromQL target of issue 10 through a server's Prometheus API:
// `sum by (job) (rate(x_total[5m]))` over 24 h of 1,000 series (10 jobs ×
// 100 pods, a counter every 15 s: 5.76M points), the data of
// internal/prom/promstorage's BenchmarkRateByJob24h, sent over OTLP/gRPC
// (-metrics with -binary: once per data dir, ending at the minute the load
// started; the end is kept in promqlMarker) and queried with GET
// /prometheus/api/v1/query_range and /prometheus/api/v1/query.

// promqlMarker names the file in the data dir that holds the loaded
// metrics' end time.
const promqlMarker = "bench-promql-end.txt"

const promqlQuery = `sum by (job) (rate(x_total[5m]))`

// loadRateMetrics sends the 24 h of x_total ending at end to the OTLP gRPC
// receiver at addr, 10 points per series per request (≈ 10k points, under
// the receiver's 4 MiB message limit).
func loadRateMetrics(ctx context.Context, addr string, end time.Time) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dial %s: %w", addr, err)
	}
	defer conn.Close()
	client := pmetricotlp.NewGRPCClient(conn)
	const step, perReq = 15 * time.Second, 10
	start := end.Add(-24 * time.Hour)
	t0, points := time.Now(), 0
	for t := start; t.Before(end); t = t.Add(perReq * step) {
		md := pmetric.NewMetrics()
		for job := range 10 {
			rm := md.ResourceMetrics().AppendEmpty()
			rm.Resource().Attributes().PutStr("service.name", fmt.Sprintf("job-%d", job))
			sm := rm.ScopeMetrics().AppendEmpty()
			for inst := range 100 {
				m := sm.Metrics().AppendEmpty()
				m.SetName("x_total")
				s := m.SetEmptySum()
				s.SetIsMonotonic(true)
				s.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
				for i := range perReq {
					ts := t.Add(time.Duration(i) * step)
					dp := s.DataPoints().AppendEmpty()
					dp.Attributes().PutStr("pod", fmt.Sprintf("pod-%d-%d", job, inst))
					dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
					dp.SetDoubleValue(float64(ts.Sub(start)/step) * float64(inst%7+1))
					points++
				}
			}
		}
		for attempt := 0; ; attempt++ {
			cctx, cancel := context.WithTimeout(ctx, time.Minute)
			_, err := client.Export(cctx, pmetricotlp.NewExportRequestFromMetrics(md))
			cancel()
			if err == nil {
				break
			}
			if attempt == 20 {
				return fmt.Errorf("export metrics at %s: %w", t.Format(time.RFC3339), err)
			}
			time.Sleep(200 * time.Millisecond) // refused (overloaded): retry
		}
	}
	logf("loaded %d metric points over 24 h in %v", points, time.Since(t0).Round(time.Second))
	return nil
}

// promqlEnd loads the metrics into the server unless the data dir already
// has them, and returns their end time.
func promqlEnd(ctx context.Context, dir, grpcAddr string) (time.Time, error) {
	marker := filepath.Join(dir, promqlMarker)
	if b, err := os.ReadFile(marker); err == nil {
		return time.Parse(time.RFC3339, strings.TrimSpace(string(b)))
	}
	end := time.Now().UTC().Truncate(time.Minute)
	if err := loadRateMetrics(ctx, grpcAddr, end); err != nil {
		return time.Time{}, err
	}
	if err := os.WriteFile(marker, []byte(end.Format(time.RFC3339)), 0o644); err != nil {
		return time.Time{}, fmt.Errorf("write %s: %w", marker, err)
	}
	return end, nil
}

// promqlQueries are the timed Prometheus API requests.
func promqlQueries(end time.Time) []apiQuery {
	unix := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	note := func(b []byte) string {
		var r struct {
			Data struct {
				Result []struct {
					Values []json.RawMessage `json:"values"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.Unmarshal(b, &r) != nil {
			return "?"
		}
		pts := 0
		for _, s := range r.Data.Result {
			pts += len(s.Values)
		}
		if pts == 0 { // an instant vector: one value per series
			return fmt.Sprintf("%d series", len(r.Data.Result))
		}
		return fmt.Sprintf("%d series, %d points", len(r.Data.Result), pts)
	}
	// rng is the 24 h range ending shift before end.
	rng := func(step string, shift time.Duration) string {
		return "/prometheus/api/v1/query_range?" + url.Values{"query": {promqlQuery}, "start": {unix(end.Add(-24*time.Hour - shift))},
			"end": {unix(end.Add(-shift))}, "step": {step}}.Encode()
	}
	// With the results cache (query::promql_cache_bytes) a repeated range
	// query is answered from it: each step is measured three ways.
	//   - cold: every call shifts the range by another second, a new
	//     alignment of the steps, so nothing cached applies — the first
	//     evaluation of a query (the figure of the target row);
	//   - repeated: the same range every call: from the cache once the
	//     warm-up stored it (a dashboard refreshing over old data);
	//   - sliding: the range ends an hour and 30 s before the data's end
	//     (30 s: a step alignment of its own, so the ranges above cached
	//     nothing of it) and every call moves it one step later, as a
	//     dashboard's range moves with now: the hour holding its end (with
	//     data) is evaluated, the other 23 come from the cache.
	var qs []apiQuery
	for _, st := range []struct {
		label string
		secs  int
	}{{"60 s", 60}, {"5 m", 300}} {
		step := strconv.Itoa(st.secs)
		name := "promql: " + promqlQuery + ", 24 h, step " + st.label
		qs = append(qs,
			apiQuery{name: name + ", cold (new step alignment per run)", note: note,
				getRun: func(n int) string { return rng(step, time.Duration(n+1)*time.Second) }},
			apiQuery{name: name + ", repeated (same range)", get: rng(step, 0), note: note},
			apiQuery{name: name + ", sliding (1 step later per run)", note: note,
				getRun: func(n int) string { return rng(step, time.Hour+30*time.Second-time.Duration(n*st.secs)*time.Second) }},
		)
	}
	return append(qs, apiQuery{name: "promql: " + promqlQuery + ", instant", get: "/prometheus/api/v1/query?" + url.Values{"query": {promqlQuery},
		"time": {unix(end)}}.Encode(), note: note})
}

// get is a GET of the server's API that must answer 200.
func get(api, pathQuery string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+api+pathQuery, nil)
	if err != nil {
		return nil, err
	}
	return do(req)
}
