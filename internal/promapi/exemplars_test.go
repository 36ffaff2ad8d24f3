package promapi

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"

	"github.com/overlook-dev/overlook/internal/store/storetest"
)

func TestQueryExemplars(t *testing.T) {
	srv, st := newTestAPI(t)
	if err := st.InsertMetrics(context.Background(), storetest.ExemplarMetrics(t0)); err != nil {
		t.Fatal(err)
	}
	const (
		series = `{"__name__":"requests_total","http_route":"/pay","instance":"i-1","job":"checkout"}`
		exA    = `{"labels":{"span_id":"0200000000000002","trace_id":"01000000000000000000000000000001","user":"u1"},"value":"1","timestamp":1795305530}`
		exB    = `{"labels":{"span_id":"0400000000000004","trace_id":"03000000000000000000000000000003"},"value":"2","timestamp":1795305590}`
		bucket = `{"__name__":"latency_bucket","instance":"i-1","job":"checkout","le":"%s"}`
	)
	start := url.Values{"start": {"1795305000"}, "end": {"1795305600"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range start {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	b := func(le string) string { return strings.Replace(bucket, "%s", le, 1) }
	tests := []struct {
		name   string
		params url.Values
		code   int
		want   string
	}{
		{"sum", with("query", "requests_total"), 200, `[{"seriesLabels":` + series + `,"exemplars":[` + exA + `,` + exB + `]}]`},
		{"selectors inside an expression", with("query", `sum(rate(requests_total{job="checkout"}[5m]))`), 200,
			`[{"seriesLabels":` + series + `,"exemplars":[` + exA + `,` + exB + `]}]`},
		{"time range", with("query", "requests_total", "start", "1795305580.5"), 200,
			`[{"seriesLabels":` + series + `,"exemplars":[` + exB + `]}]`},
		{"label matcher excludes", with("query", `requests_total{http_route="/other"}`), 200, `[]`},
		{"histogram buckets", with("query", `latency_bucket`), 200, `[` +
			`{"seriesLabels":` + b("+Inf") + `,"exemplars":[{"labels":{},"value":"5","timestamp":1795305595}]},` +
			`{"seriesLabels":` + b("0.1") + `,"exemplars":[{"labels":{"span_id":"0600000000000006","trace_id":"05000000000000000000000000000005"},"value":"0.05","timestamp":1795305570}]},` +
			`{"seriesLabels":` + b("1") + `,"exemplars":[{"labels":{"span_id":"0800000000000008","trace_id":"07000000000000000000000000000007"},"value":"0.5","timestamp":1795305580}]}]`},
		{"bucket matcher", with("query", `latency_bucket{le="1"}`), 200,
			`[{"seriesLabels":` + b("1") + `,"exemplars":[{"labels":{"span_id":"0800000000000008","trace_id":"07000000000000000000000000000007"},"value":"0.5","timestamp":1795305580}]}]`},
		{"histogram count has none", with("query", `latency_count`), 200, `[]`},
		{"gauge", with("query", `temperature`), 200, `[{"seriesLabels":{"__name__":"temperature","instance":"i-1","job":"checkout"},` +
			`"exemplars":[{"labels":{"span_id":"0900000000000009","trace_id":"09000000000000000000000000000009"},"value":"21","timestamp":1795305599}]}]`},
		{"limit", with("query", `{__name__=~"requests_total|latency_bucket"}`, "limit", "1"), 200, ``},
		{"no selectors", with("query", `1 + 1`), 200, `[]`},
		{"bad query", with("query", `requests_total{`), 400, ``},
		{"bad limit", with("query", `requests_total`, "limit", "x"), 400, ``},
		{"bad range", with("query", `requests_total`, "start", "1795305700"), 400, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, env := get(t, srv, "query_exemplars", tt.params)
			if code != tt.code {
				t.Fatalf("status %d, want %d: %+v", code, tt.code, env)
			}
			if code != http.StatusOK {
				if env.Status != "error" || env.ErrorType != "bad_data" {
					t.Errorf("envelope %+v", env)
				}
				return
			}
			if tt.want != "" && string(env.Data) != tt.want {
				t.Errorf("data\n got %s\nwant %s", env.Data, tt.want)
			}
			if tt.name == "limit" && strings.Count(string(env.Data), `"timestamp"`) != 1 {
				t.Errorf("limit 1: %s", env.Data)
			}
		})
	}
}

// TestQueryExemplarsDefaultRange checks that without start the range is
// the DefaultRange before end (now).
func TestQueryExemplarsDefaultRange(t *testing.T) {
	srv, st := newTestAPI(t)
	if err := st.InsertMetrics(context.Background(), storetest.ExemplarMetrics(t0.Add(-2*time.Hour))); err != nil {
		t.Fatal(err)
	}
	if code, env := get(t, srv, "query_exemplars", url.Values{"query": {"requests_total"}}); code != 200 || string(env.Data) != `[]` {
		t.Errorf("status %d, data %s", code, env.Data)
	}
}

// TestRemoteWriteExemplars writes exemplars with remote write 1.0 and 2.0
// and reads them back through query_exemplars.
func TestRemoteWriteExemplars(t *testing.T) {
	srv, _ := newTestAPI(t)
	ms := t0.UnixMilli()
	v1, err := (&prompb.WriteRequest{Timeseries: []prompb.TimeSeries{
		{Labels: []prompb.Label{{Name: "__name__", Value: "ex_total"}, {Name: "job", Value: "rw"}},
			Samples: []prompb.Sample{{Value: 1, Timestamp: ms - 60_000}, {Value: 3, Timestamp: ms}},
			Exemplars: []prompb.Exemplar{{Value: 1.5, Timestamp: ms - 30_000, Labels: []prompb.Label{
				{Name: "trace_id", Value: "0102030405060708090a0b0c0d0e0f10"}, {Name: "span_id", Value: "0102030405060708"}, {Name: "user", Value: "u"}}}}},
		{Labels: []prompb.Label{{Name: "__name__", Value: "ex_seconds_bucket"}, {Name: "job", Value: "rw"}, {Name: "le", Value: "0.5"}},
			Samples:   []prompb.Sample{{Value: 4, Timestamp: ms}},
			Exemplars: []prompb.Exemplar{{Value: 0.25, Timestamp: ms - 1_000, Labels: []prompb.Label{{Name: "trace_id", Value: "not-hex"}}}}},
	}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	v2, err := (&writev2.Request{
		Symbols: []string{"", "__name__", "ex_gauge", "job", "rw", "trace_id", "ffffffffffffffffffffffffffffffff"},
		Timeseries: []writev2.TimeSeries{{LabelsRefs: []uint32{1, 2, 3, 4},
			Samples:   []writev2.Sample{{Value: 2.5, Timestamp: ms}},
			Exemplars: []writev2.Exemplar{{LabelsRefs: []uint32{5, 6}, Value: 7, Timestamp: ms - 2_000}},
			Metadata:  writev2.Metadata{Type: writev2.Metadata_METRIC_TYPE_GAUGE}}},
	}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		ct   string
		body []byte
	}{{"application/x-protobuf", v1}, {ctV2, v2}} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/prometheus/api/v1/write", bytes.NewReader(snappy.Encode(nil, w.body)))
		req.Header.Set("Content-Type", w.ct)
		req.Header.Set("Content-Encoding", "snappy")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("%s: status %d", w.ct, resp.StatusCode)
		}
		if got := resp.Header.Get("X-Prometheus-Remote-Write-Exemplars-Written"); w.ct == ctV2 && got != "1" {
			t.Errorf("exemplars written = %q, want 1", got)
		}
	}
	sec := func(d time.Duration) string { return strconv.FormatInt(t0.Add(d).Unix(), 10) }
	tests := []struct{ query, want string }{
		{"ex_total", `[{"seriesLabels":{"__name__":"ex_total","job":"rw"},"exemplars":[{"labels":{"span_id":"0102030405060708",` +
			`"trace_id":"0102030405060708090a0b0c0d0e0f10","user":"u"},"value":"1.5","timestamp":` + sec(-30*time.Second) + `}]}]`},
		{`ex_seconds_bucket{le="0.5"}`, `[{"seriesLabels":{"__name__":"ex_seconds_bucket","job":"rw","le":"0.5"},` +
			`"exemplars":[{"labels":{"trace_id":"not-hex"},"value":"0.25","timestamp":` + sec(-time.Second) + `}]}]`},
		{"ex_gauge", `[{"seriesLabels":{"__name__":"ex_gauge","job":"rw"},"exemplars":[{"labels":{"trace_id":"ffffffffffffffffffffffffffffffff"},` +
			`"value":"7","timestamp":` + sec(-2*time.Second) + `}]}]`},
	}
	for _, tt := range tests {
		code, env := get(t, srv, "query_exemplars", url.Values{"query": {tt.query}, "start": {sec(-time.Hour)}, "end": {sec(0)}})
		if code != 200 || string(env.Data) != tt.want {
			t.Errorf("%s: %d\n got %s\nwant %s", tt.query, code, env.Data, tt.want)
		}
	}
}
