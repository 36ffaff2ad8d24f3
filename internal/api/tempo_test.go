package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query/traceql/traceqltest"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

var updateTempo = flag.Bool("update", false, "rewrite testdata/tempo golden files")

// newTempoServer serves the API over a store holding traceqltest's spans.
func newTempoServer(t *testing.T) *httptest.Server {
	t.Helper()
	st, err := duckdb.Open(duckdb.Config{Dir: t.TempDir()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.InsertTraces(context.Background(), traceqltest.Traces(traceqltest.Base)); err != nil {
		t.Fatal(err)
	}
	a := New(Options{Store: st, Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler)})
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv
}

// window is the fixture's time range as Tempo's start/end (Unix seconds).
func window() string {
	b := traceqltest.Base.Unix()
	return fmt.Sprintf("start=%d&end=%d", b-60, b+3600)
}

func get(t *testing.T, srv *httptest.Server, path string, hdr ...string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// golden compares body (indented JSON) with testdata/tempo/name.json.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: not JSON: %v: %s", name, err, body)
	}
	got, _ := json.MarshalIndent(v, "", "  ")
	got = append(got, '\n')
	path := filepath.Join("testdata", "tempo", name+".json")
	if *updateTempo {
		_ = os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (run go test ./internal/api -run TestTempo -update)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

// TestTempoGolden checks the shapes of the Tempo endpoints against golden
// files.
func TestTempoGolden(t *testing.T) {
	srv := newTempoServer(t)
	win := window()
	q := url.QueryEscape
	cases := []struct{ name, path string }{
		{"buildinfo", "/tempo/api/status/buildinfo"},
		{"trace_v1", "/tempo/api/traces/" + traceqltest.TraceID(6)},
		{"trace_v2", "/tempo/api/v2/traces/" + traceqltest.TraceID(6)},
		{"search_q", "/tempo/api/search?" + win + "&q=" + q(`{ status = error }`) + "&spss=2"},
		{"search_tags", "/tempo/api/search?" + win + "&tags=" + q(`service.name=cart`) + "&minDuration=35ms"},
		{"search_by_select", "/tempo/api/search?" + win + "&q=" + q(`{ kind = server } | by(resource.service.name) | count() >= 1 | select(span.http.status_code)`) + "&limit=1"},
		{"search_empty", "/tempo/api/search?" + win + "&q=" + q(`{ name = "nothing" }`)},
		{"tags_v1", "/tempo/api/search/tags?" + win},
		{"tags_v2_span", "/tempo/api/v2/search/tags?" + win + "&scope=span"},
		{"tags_v2", "/tempo/api/v2/search/tags?" + win},
		{"tag_values_v1", "/tempo/api/search/tag/service.name/values?" + win},
		{"tag_values_v2_q", "/tempo/api/v2/search/tag/span.app.user/values?" + win + "&q=" + q(`{ status = error }`)},
		{"tag_values_v2_status", "/tempo/api/v2/search/tag/status/values?" + win},
		{"metrics_rate", "/tempo/api/metrics/query_range?" + win + "&step=60&q=" + q(`{ kind = server } | rate() by (resource.service.name)`)},
		{"metrics_count", "/tempo/api/metrics/query_range?" + win + "&step=10m&q=" + q(`{ status = error } | count_over_time()`)},
		{"metrics_quantile", "/tempo/api/metrics/query_range?" + win + "&step=1h&q=" + q(`{ name = "PlaceOrder" } | quantile_over_time(duration, .5, .9)`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body, _ := get(t, srv, c.path)
			if code != http.StatusOK {
				t.Fatalf("%d: %s", code, body)
			}
			golden(t, c.name, body)
		})
	}
}

func TestTempoEcho(t *testing.T) {
	srv := newTempoServer(t)
	code, body, _ := get(t, srv, "/tempo/api/echo")
	if code != 200 || string(body) != "echo" {
		t.Fatalf("%d %q", code, body)
	}
}

// TestTempoTraceProtobuf: with Accept: application/protobuf the trace is
// OTLP TracesData bytes (v1) and a TraceByIDResponse wrapping it (v2).
func TestTempoTraceProtobuf(t *testing.T) {
	srv := newTempoServer(t)
	for _, v2 := range []bool{false, true} {
		path := "/tempo/api/traces/" + traceqltest.TraceID(2)
		if v2 {
			path = "/tempo/api/v2/traces/" + traceqltest.TraceID(2)
		}
		code, body, hdr := get(t, srv, path, "Accept", "application/protobuf")
		if code != 200 || hdr.Get("Content-Type") != "application/protobuf" {
			t.Fatalf("%s: %d %s", path, code, hdr.Get("Content-Type"))
		}
		if v2 {
			if len(body) == 0 || body[0] != 1<<3|2 {
				t.Fatalf("v2: first byte %x, want the trace in field 1 (0x0a)", body[:1])
			}
			l, n := binary.Uvarint(body[1:])
			if n <= 0 || int(l) != len(body)-1-n {
				t.Fatalf("v2: length %d (%d), body %d", l, n, len(body))
			}
			body = body[1+n:]
		}
		td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(body)
		if err != nil {
			t.Fatal(err)
		}
		if td.SpanCount() != 4 {
			t.Fatalf("%s: %d spans, want 4", path, td.SpanCount())
		}
	}
}

// TestTempoErrors: client mistakes are 400s naming the problem (and the
// position of a TraceQL syntax error); unknown traces 404.
func TestTempoErrors(t *testing.T) {
	srv := newTempoServer(t)
	win := window()
	cases := []struct {
		path string
		code int
		msg  string
	}{
		{"/tempo/api/search?" + win + "&q=" + url.QueryEscape(`{ name = }`), 400, "at position 9"},
		{"/tempo/api/search?" + win + "&q=" + url.QueryEscape(`{ duration > 5 }`), 400, "duration compares with a duration"},
		{"/tempo/api/search?" + win + "&q=" + url.QueryEscape(`{ } | rate()`), 400, "metrics query"},
		{"/tempo/api/search?start=10&end=5", 400, "not before"},
		{"/tempo/api/search?limit=0", 400, "invalid limit"},
		{"/tempo/api/search?minDuration=abc", 400, "invalid minDuration"},
		{"/tempo/api/search?tags=novalue", 400, "invalid tags"},
		{"/tempo/api/traces/xyz", 400, "invalid trace ID"},
		{"/tempo/api/traces/" + strings.Repeat("f", 32), 404, "not found"},
		{"/tempo/api/metrics/query_range?" + win + "&q=" + url.QueryEscape(`{ }`), 400, "metrics function"},
		{"/tempo/api/metrics/query_range?" + win + "&step=1ms&q=" + url.QueryEscape(`{ } | rate()`), 400, "use a larger step"},
		{"/tempo/api/v2/search/tags?scope=bogus", 400, "unknown scope"},
		{"/tempo/api/v2/search/tag/nope/values", 400, "invalid tag"},
		{"/tempo/api/nothing", 404, "no such Tempo API endpoint"},
	}
	for _, c := range cases {
		code, body, _ := get(t, srv, c.path)
		if code != c.code || !strings.Contains(string(body), c.msg) {
			t.Errorf("%s: %d %s, want %d containing %q", c.path, code, body, c.code, c.msg)
		}
	}
}

func TestTempoTagsToTraceQL(t *testing.T) {
	for in, want := range map[string]string{
		`service.name=cart`:                  `{ .service.name = "cart" }`,
		`name="GET /cart" status.code=error`: `{ name = "GET /cart" && status = error }`,
		`http.status_code=500 region="eu 1"`: `{ .http.status_code = "500" && .region = "eu 1" }`,
		``:                                   `{  }`,
		`status=STATUS_CODE_ERROR`:           `{ status = error }`,
	} {
		got, err := tagsToTraceQL(in)
		if err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
}

// TestSearchTraceQL: POST /api/search with whereLanguage "traceql" returns
// the matched spans as rows; a syntax error is a 400 with its position;
// logs cannot be queried with TraceQL.
func TestSearchTraceQL(t *testing.T) {
	srv := newTempoServer(t)
	post := func(body string) (int, map[string]any) {
		resp, err := http.Post(srv.URL+"/api/search", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	rng := fmt.Sprintf(`"start":%q,"end":%q`, traceqltest.Base.Add(-time.Minute).Format(time.RFC3339), traceqltest.Base.Add(time.Hour).Format(time.RFC3339))
	code, v := post(`{"source":"traces","whereLanguage":"traceql","query":"{ status = error } | select(span.app.user)",` + rng + `}`)
	if code != 200 || v["count"] != float64(6) {
		t.Fatalf("%d %v", code, v)
	}
	users := map[string]int{}
	for _, r := range v["rows"].([]any) {
		users[r.(map[string]any)["span.app.user"].(string)]++
	}
	if users["carol"] != 1 || users["bob"] != 1 || users[""] != 4 {
		t.Fatalf("selected users %v", users)
	}
	code, v = post(`{"source":"traces","whereLanguage":"traceql","query":"{ status = }",` + rng + `}`)
	if code != 400 || v["position"] != float64(11) {
		t.Fatalf("%d %v", code, v)
	}
	code, v = post(`{"source":"logs","whereLanguage":"traceql","query":"{}",` + rng + `}`)
	if code != 400 || !strings.Contains(fmt.Sprint(v["error"]), "traces source") {
		t.Fatalf("%d %v", code, v)
	}
}
