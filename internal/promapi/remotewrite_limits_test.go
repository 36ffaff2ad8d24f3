package promapi

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"

	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// TestRemoteWriteLimits: remote write under the tenant's overrides —
// samples past the rate get 429 with Retry-After and nothing stored, a
// request over the burst 400, and with max_active_series the samples of
// the series past the cap are refused (400 naming the key) while the
// others, and later points of the admitted series, are stored. The stored
// series are counted with PromQL.
func TestRemoteWriteLimits(t *testing.T) {
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	lim := overrides.New(overrides.Config{
		Defaults: overrides.Limits{Ingestion: overrides.Ingestion{SamplesPerSecond: 1, SamplesBurst: 6}, MaxActiveSeries: 3},
	}, overrides.Options{Now: func() time.Time { return t0 }})
	h := New(Options{Prefix: "/prometheus", Reader: st, Inserter: st, Metadata: st, Targets: noTargets{},
		Logger: slog.New(slog.DiscardHandler), Limiter: lim})
	h.now = func() time.Time { return t0 }
	t.Cleanup(func() { _ = h.Close() })
	// The tenant a request belongs to is on its context (put there by the
	// tenancy middleware); this test names it with a header.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t := r.Header.Get("X-Scope-OrgID"); t != "" {
			r = r.WithContext(tenancy.With(r.Context(), t))
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	calls := 0
	write := func(tenant string, series ...string) (int, string, string) {
		calls++
		var req prompb.WriteRequest
		for i, s := range series {
			req.Timeseries = append(req.Timeseries, prompb.TimeSeries{
				Labels:  []prompb.Label{{Name: "__name__", Value: "lim"}, {Name: "s", Value: s}},
				Samples: []prompb.Sample{{Value: 1, Timestamp: t0.UnixMilli() - int64(calls*1000+i)}}})
		}
		b, _ := req.Marshal()
		r, _ := http.NewRequest(http.MethodPost, srv.URL+"/prometheus/api/v1/write", bytes.NewReader(snappy.Encode(nil, b)))
		r.Header.Set("Content-Type", "application/x-protobuf")
		r.Header.Set("Content-Encoding", "snappy")
		if tenant != "" {
			r.Header.Set("X-Scope-OrgID", tenant)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), string(body)
	}
	for i, step := range []struct {
		tenant     string
		series     []string
		code       int
		retryAfter string
		msg        string
	}{
		{"", []string{"a", "b"}, 204, "", ""},
		{"", []string{"a", "c", "d", "e"}, 400, "", "tenant \"default\" has reached its 3 active series"}, // d and e refused; a, c stored (4 tokens: 6 used)
		{"", []string{"a"}, 429, "1", "over its ingestion rate of 1 samples per second"},
		{"", []string{"a", "b", "c", "d", "e", "f", "g"}, 400, "", "raise extensions::overlook::multitenancy::overrides::defaults::ingestion::samples_burst"},
		{"other", []string{"x", "y"}, 204, "", ""},
	} {
		code, retry, body := write(step.tenant, step.series...)
		if code != step.code || retry != step.retryAfter || !strings.Contains(body, step.msg) {
			t.Errorf("step %d: %d Retry-After %q %q; want %d %q %q", i, code, retry, body, step.code, step.retryAfter, step.msg)
		}
	}
	at := url.Values{"time": {fmt.Sprint(t0.Unix())}}
	for query, want := range map[string]string{
		`count(lim)`:                      `"value":[1795305600,"5"]`, // a, b, c of default; x, y of other
		`count(lim{s=~"d|e|f"})`:          `[]`,
		`count_over_time(lim{s="a"}[5m])`: `"value":[1795305600,"2"]`,
	} {
		at.Set("query", query)
		code, env := get(t, srv, "query", at)
		if code != 200 || !strings.Contains(string(env.Data), want) {
			t.Errorf("%s: %d %s, want %s", query, code, env.Data, want)
		}
	}
}
