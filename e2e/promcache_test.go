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

// TestPromQLResultsCache: through the real binary, a repeated query_range
// over old hours is answered from the results cache (its self-metrics say
// so) with the same answer, and a remote write of a late sample into one of
// those hours changes the next answer exactly as a fresh evaluation.
func TestPromQLResultsCache(t *testing.T) {
	s := newServer(t, "")
	s.start()
	t0 := time.Now().Truncate(time.Hour).Add(-5 * time.Hour)
	write := func(instance string, from, to time.Time, v func(i int) float64) {
		t.Helper()
		ts := prompb.TimeSeries{Labels: []prompb.Label{{Name: "__name__", Value: "cache_gauge"}, {Name: "instance", Value: instance}, {Name: "job", Value: "cache"}}}
		for i, at := 0, from; at.Before(to); i, at = i+1, at.Add(time.Minute) {
			ts.Samples = append(ts.Samples, prompb.Sample{Value: v(i), Timestamp: at.UnixMilli()})
		}
		b, err := (&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{ts}}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if code := remoteWrite(t, s, "application/x-protobuf", b); code != http.StatusNoContent {
			t.Fatalf("remote write: status %d", code)
		}
	}
	write("a", t0, t0.Add(3*time.Hour), func(i int) float64 { return float64(i % 17) })
	write("b", t0, t0.Add(3*time.Hour), func(i int) float64 { return float64(i % 5) })

	rangeQuery := func(qs string) []json.RawMessage {
		t.Helper()
		q := url.Values{"query": {qs}, "start": {strconv.FormatInt(t0.Unix(), 10)},
			"end": {strconv.FormatInt(t0.Add(3*time.Hour).Unix(), 10)}, "step": {"60"}}
		var r struct {
			Status string `json:"status"`
			Data   struct {
				Result []struct {
					Values []json.RawMessage `json:"values"`
				} `json:"result"`
			} `json:"data"`
		}
		if code := s.getJSON("/prometheus/api/v1/query_range?"+q.Encode(), &r); code != http.StatusOK || r.Status != "success" || len(r.Data.Result) != 1 {
			t.Fatalf("%s: status %d %+v", qs, code, r)
		}
		return r.Data.Result[0].Values
	}
	metric := s.metricValue
	str := func(vs []json.RawMessage) string { b, _ := json.Marshal(vs); return string(b) }

	const qs = `sum(max_over_time(cache_gauge[3m]))`
	first := rangeQuery(qs)
	if second := rangeQuery(qs); str(second) != str(first) {
		t.Fatalf("the repeated answer differs:\n%.500s\n%.500s", str(second), str(first))
	}
	if n := metric(`overlook_promql_cache_queries_total\{outcome="hit"\}`); n != 1 {
		t.Fatalf("%v cache hits, want 1 (the repeated query)", n)
	}
	// A late sample of a third series in the data's second hour.
	write("late", t0.Add(90*time.Minute), t0.Add(91*time.Minute), func(int) float64 { return 1000 })
	third := rangeQuery(qs)
	fresh := rangeQuery(qs + ` + 0`) // another expression: evaluated, not cached
	if str(third) != str(fresh) {
		t.Fatalf("after the late write, cached path\n%.500s\nfresh\n%.500s", str(third), str(fresh))
	}
	if str(third) == str(first) {
		t.Fatal("the late write did not change the answer")
	}
	if n := metric(`overlook_promql_cache_stale_total`); n == 0 {
		t.Error("no cached hour was dropped as stale")
	}
}
