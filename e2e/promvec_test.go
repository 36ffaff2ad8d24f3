package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"
)

// TestPromQLVectorized: through the real binary, `sum by (job) (rate(…))`
// and `rate(…)` over remote-written counters (jittered scrapes, a counter
// reset, a gap) are evaluated by the vectorized evaluator — its
// self-metric says so — and answer exactly what Prometheus's engine
// answers for the same expression times one (a shape the evaluator leaves
// to the engine), point for point.
func TestPromQLVectorized(t *testing.T) {
	s := newServer(t, "")
	s.start()
	t0 := time.Now().Truncate(time.Hour).Add(-4 * time.Hour)
	var series []prompb.TimeSeries
	for i, inst := range []string{"a", "b", "c", "d"} {
		ts := prompb.TimeSeries{Labels: []prompb.Label{{Name: "__name__", Value: "vec_requests_total"},
			{Name: "instance", Value: inst}, {Name: "job", Value: []string{"api", "web"}[i%2]}}}
		v := float64(i * 100)
		for k, at := 0, t0; at.Before(t0.Add(3 * time.Hour)); k, at = k+1, at.Add(15*time.Second) {
			switch {
			case inst == "b" && k == 300:
				v = 3 // a counter reset
			case inst == "c" && k >= 200 && k < 260:
				continue // a gap of 15 minutes
			default:
				v += float64(k%7) + 0.25*float64(i)
			}
			jitter := time.Duration((k*3137+i*1111)%6000) * time.Millisecond
			ts.Samples = append(ts.Samples, prompb.Sample{Value: v, Timestamp: at.Add(jitter).UnixMilli()})
		}
		series = append(series, ts)
	}
	// A classic histogram: cumulative buckets, every le scraped at once.
	les := []string{"0.05", "0.1", "0.25", "1", "+Inf"}
	for i, le := range les {
		ts := prompb.TimeSeries{Labels: []prompb.Label{{Name: "__name__", Value: "vec_latency_bucket"},
			{Name: "instance", Value: "a"}, {Name: "job", Value: "api"}, {Name: "le", Value: le}}}
		var v float64
		for k, at := 0, t0; at.Before(t0.Add(3 * time.Hour)); k, at = k+1, at.Add(15*time.Second) {
			v += float64((k*7+3)%11) * float64(i+1)
			ts.Samples = append(ts.Samples, prompb.Sample{Value: v, Timestamp: at.UnixMilli()})
		}
		series = append(series, ts)
	}
	b, err := (&prompb.WriteRequest{Timeseries: series}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if code := remoteWrite(t, s, "application/x-protobuf", b); code != http.StatusNoContent {
		t.Fatalf("remote write: status %d", code)
	}

	type result struct {
		Metric map[string]string `json:"metric"`
		Values []json.RawMessage `json:"values"`
	}
	rangeQuery := func(qs string, step int) []result {
		t.Helper()
		q := url.Values{"query": {qs}, "start": {strconv.FormatInt(t0.Add(-10*time.Minute).Unix()+7, 10)},
			"end": {strconv.FormatInt(t0.Add(3*time.Hour).Unix(), 10)}, "step": {strconv.Itoa(step)}}
		var r struct {
			Status string `json:"status"`
			Data   struct {
				Result []result `json:"result"`
			} `json:"data"`
		}
		if code := s.getJSON("/prometheus/api/v1/query_range?"+q.Encode(), &r); code != http.StatusOK || r.Status != "success" {
			t.Fatalf("%s: status %d %+v", qs, code, r)
		}
		return r.Data.Result
	}
	evaluations := func(outcome string) float64 {
		t.Helper()
		return s.metricValue(`overlook_promql_range_evaluations_total\{outcome="` + outcome + `"\}`)
	}
	str := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	for _, tc := range []struct {
		qs     string
		step   int
		series int
	}{
		{`sum by (job) (rate(vec_requests_total[5m]))`, 60, 2},
		{`rate(vec_requests_total[2m])`, 15, 4},
		{`avg without (instance) (increase(vec_requests_total[10m] offset 1m))`, 300, 2},
		{`max(delta(vec_requests_total{job="api"}[90s]))`, 17, 1},
		{`histogram_quantile(0.9, sum by (le) (rate(vec_latency_bucket[5m])))`, 60, 1},
	} {
		vec0, eng0 := evaluations("vectorized"), evaluations("engine")
		got := rangeQuery(tc.qs, tc.step)
		if evaluations("vectorized") == vec0 {
			t.Errorf("%s: not evaluated by the vectorized evaluator", tc.qs)
		}
		want := rangeQuery("("+tc.qs+") * 1", tc.step)
		if evaluations("engine") == eng0 {
			t.Errorf("(%s) * 1: not evaluated by the engine", tc.qs)
		}
		if len(got) != tc.series || len(got[0].Values) < 10 {
			t.Fatalf("%s: %d series (want %d), %d points in the first", tc.qs, len(got), tc.series, len(got[0].Values))
		}
		if str(got) != str(want) {
			t.Errorf("%s: vectorized answer\n%.600s\nengine's\n%.600s", tc.qs, str(got), str(want))
		}
	}
}
