package promapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/scrape"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/prom/promstorage"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

// t0 is the time of the test data: 2026-11-22T00:00:00Z.
var t0 = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

type noTargets struct{}

func (noTargets) TargetsActive() map[string][]*scrape.Target  { return nil }
func (noTargets) TargetsDropped() map[string][]*scrape.Target { return nil }
func (noTargets) TargetsDroppedCounts() map[string]int        { return map[string]int{} }

// newTestAPI serves the API over a DuckDB store holding a counter and a
// gauge, sampled every 15 s for 10 minutes before t0.
func newTestAPI(t *testing.T) (*httptest.Server, *duckdb.Store) {
	t.Helper()
	return newTestAPIWith(t, func(*Options) {})
}

// newTestAPIWith is newTestAPI with options changed by set.
func newTestAPIWith(t *testing.T, set func(*Options)) (*httptest.Server, *duckdb.Store) {
	t.Helper()
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	app := promstorage.NewAppendable(st).AppenderV2(context.Background())
	for i := 0; i <= 40; i++ {
		ts := t0.Add(-10 * time.Minute).Add(time.Duration(i) * 15 * time.Second).UnixMilli()
		for _, s := range []struct {
			ls labels.Labels
			v  float64
		}{
			{labels.FromStrings("__name__", "http_requests_total", "job", "api", "instance", "a:80", "code", "200"), float64(i * 10)},
			{labels.FromStrings("__name__", "http_requests_total", "job", "api", "instance", "b:80", "code", "500"), float64(i)},
			{labels.FromStrings("__name__", "temperature", "job", "sensors", "room", "kitchen"), 20 + float64(i%3)},
		} {
			if _, err := app.Append(0, s.ls, 0, ts, s.v, nil, nil, storage.AppendV2Options{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	opts := Options{Prefix: "/prometheus", Reader: st, Inserter: st, Metadata: st, Resources: st, Targets: noTargets{},
		Logger: slog.New(slog.DiscardHandler)}
	set(&opts)
	h := New(opts)
	h.now = func() time.Time { return t0 }
	t.Cleanup(func() { _ = h.Close() })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, st
}

type envelope struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
	Infos     []string        `json:"infos"`
}

func get(t *testing.T, srv *httptest.Server, path string, params url.Values) (int, envelope) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/prometheus/api/v1/" + path + "?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("%s: not JSON: %s", path, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	return resp.StatusCode, env
}

func TestAPI(t *testing.T) {
	srv, _ := newTestAPI(t)
	at := url.Values{"time": {"1795305600"}} // t0
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name     string
		path     string
		params   url.Values
		code     int
		errType  string
		data     string // exact JSON of data, when set
		contains []string
	}{
		{"instant vector", "query", with("query", `http_requests_total{code="200"}`, "time", at.Get("time")), 200, "",
			`{"resultType":"vector","result":[{"metric":{"__name__":"http_requests_total","code":"200","instance":"a:80","job":"api"},"value":[1795305600,"400"]}]}`, nil},
		{"rate by job", "query", with("query", `sum by (job) (rate(http_requests_total[1m]))`, "time", at.Get("time")), 200, "",
			`{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[1795305600,"0.7333333333333333"]}]}`, nil},
		{"scalar", "query", with("query", "1+1", "time", "1795305600.5"), 200, "",
			`{"resultType":"scalar","result":[1795305600.500,"2"]}`, nil},
		{"string", "query", with("query", `"hi"`, "time", "1795305600"), 200, "",
			`{"resultType":"string","result":[1795305600,"hi"]}`, nil},
		{"special floats", "query", with("query", `vector(1/0) or label_replace(vector(-1/0), "x", "y", "", "")`, "time", "1795305600"), 200, "",
			"", []string{`"+Inf"`, `"-Inf"`}},
		{"range matrix", "query_range", with("query", `temperature`, "start", "1795305480", "end", "1795305600", "step", "60"), 200, "",
			`{"resultType":"matrix","result":[{"metric":{"__name__":"temperature","job":"sensors","room":"kitchen"},"values":[[1795305480,"22"],[1795305540,"20"],[1795305600,"21"]]}]}`, nil},
		{"info annotation", "query", with("query", `rate(temperature[1m])`, "time", at.Get("time")), 200, "", "", []string{`"resultType":"vector"`}},
		{"syntax error", "query", with("query", "rate("), 400, "bad_data", "", nil},
		{"bad time", "query", with("query", "up", "time", "yesterday"), 400, "bad_data", "", nil},
		{"zero step", "query_range", with("query", "up", "start", "0", "end", "10", "step", "0"), 400, "bad_data", "", nil},
		{"too many points", "query_range", with("query", "up", "start", "0", "end", "100000", "step", "1"), 400, "bad_data", "", nil},
		{"end before start", "query_range", with("query", "up", "start", "10", "end", "0", "step", "1"), 400, "bad_data", "", nil},
		{"many-to-many", "query", with("query", `http_requests_total + on(job) temperature{job="x"} or http_requests_total + ignoring(code, instance) http_requests_total`, "time", at.Get("time")), 422, "execution", "", nil},
		{"series", "series", with("match[]", `{job="api"}`, "start", "1795305000", "end", "1795305600"), 200, "",
			`[{"__name__":"http_requests_total","code":"200","instance":"a:80","job":"api"},{"__name__":"http_requests_total","code":"500","instance":"b:80","job":"api"}]`, nil},
		{"series union", "series", with("match[]", `temperature`, "match[]", `{code="500"}`, "start", "1795305000", "end", "1795305600"), 200, "",
			"", []string{`"room":"kitchen"`, `"code":"500"`}},
		{"series without match", "series", nil, 400, "bad_data", "", nil},
		{"labels", "labels", with("start", "1795305000", "end", "1795305600"), 200, "",
			`["__name__","code","instance","job","room"]`, nil},
		{"labels matched", "labels", with("match[]", "temperature", "start", "1795305000", "end", "1795305600"), 200, "",
			`["__name__","job","room"]`, nil},
		{"names", "label/__name__/values", with("start", "1795305000", "end", "1795305600"), 200, "",
			`["http_requests_total","temperature"]`, nil},
		{"label values", "label/code/values", with("start", "1795305000", "end", "1795305600"), 200, "", `["200","500"]`, nil},
		{"label values limit", "label/code/values", with("start", "1795305000", "end", "1795305600", "limit", "1"), 200, "", `["200"]`, nil},
		{"label values default range", "label/job/values", nil, 200, "", `["api","sensors"]`, nil},
		{"label values outside range", "label/job/values", with("start", "1", "end", "2"), 200, "", `[]`, nil},
		{"metadata", "metadata", nil, 200, "", `{"http_requests_total":[{"type":"counter","help":"","unit":""}],"temperature":[{"type":"gauge","help":"","unit":""}]}`, nil},
		{"metadata one", "metadata", with("metric", "temperature"), 200, "", `{"temperature":[{"type":"gauge","help":"","unit":""}]}`, nil},
		{"targets", "targets", nil, 200, "", `{"activeTargets":[],"droppedTargets":[],"droppedTargetCounts":{}}`, nil},
		{"buildinfo", "status/buildinfo", nil, 200, "", "", []string{`"version":"3.12.0"`}},
		{"exemplars", "query_exemplars", with("query", "up"), 200, "", `[]`, nil},
		{"unknown endpoint", "nope", nil, 404, "not_found", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, env := get(t, srv, tc.path, tc.params)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %+v", code, tc.code, env)
			}
			if tc.errType != "" {
				if env.Status != "error" || env.ErrorType != tc.errType || env.Error == "" {
					t.Fatalf("envelope %+v, want error %s", env, tc.errType)
				}
				return
			}
			if env.Status != "success" {
				t.Fatalf("envelope %+v", env)
			}
			if tc.data != "" && string(env.Data) != tc.data {
				t.Errorf("data = %s\nwant %s", env.Data, tc.data)
			}
			for _, c := range tc.contains {
				if !strings.Contains(string(env.Data), c) {
					t.Errorf("data %s lacks %s", env.Data, c)
				}
			}
		})
	}
}

func TestAPIPostForm(t *testing.T) {
	srv, _ := newTestAPI(t)
	resp, err := http.PostForm(srv.URL+"/prometheus/api/v1/query", url.Values{"query": {"count(temperature)"}, "time": {"1795305600"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"value":[1795305600,"1"]`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestAPIWarningsAndTimeouts(t *testing.T) {
	srv, _ := newTestAPI(t)
	_, env := get(t, srv, "query", url.Values{"query": {"rate(temperature[1m])"}, "time": {"1795305600"}})
	if len(env.Infos) == 0 || !strings.Contains(env.Infos[0], "might not be a counter") {
		t.Errorf("infos = %v", env.Infos)
	}
	code, env := get(t, srv, "query", url.Values{"query": {"temperature"}, "timeout": {"0.000001"}})
	if code != http.StatusServiceUnavailable || env.ErrorType != "timeout" {
		t.Errorf("timeout: %d %+v", code, env)
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"1795305600", t0, true},
		{"1795305600.123", t0.Add(123 * time.Millisecond), true},
		{"2026-11-22T00:00:00Z", t0, true},
		{"2026-11-22T09:00:00+09:00", t0, true},
		{minTime.Format(time.RFC3339Nano), minTime, true},
		{"soon", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		got, err := parseTime(tc.in)
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(tc.want)) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for in, want := range map[string]time.Duration{"15": 15 * time.Second, "0.5": 500 * time.Millisecond, "1m30s": 90 * time.Second, "1d": 24 * time.Hour} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := parseDuration("1e300"); err == nil {
		t.Error("overflowing duration accepted")
	}
}
