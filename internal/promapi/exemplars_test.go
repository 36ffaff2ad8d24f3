package promapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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
		{"gauges have none, as in Prometheus", with("query", `temperature`), 200, `[]`},
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
