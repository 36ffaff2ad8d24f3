package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query/traceql/traceqltest"
)

// TestTempoAPI posts traceqltest's spans as OTLP/JSON to the binary, then
// checks /tempo: a subset of the TraceQL conformance table returns the
// expected traces, and the endpoints answer the golden shapes of
// internal/api/testdata/tempo (timestamps shifted back to the fixture's
// base before comparing).
func TestTempoAPI(t *testing.T) {
	s := newServer(t, "")
	s.start()
	// Hour-aligned, so metrics steps bucket the spans as in the goldens.
	base := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(traceqltest.Traces(base))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+s.http+"/v1/traces", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("OTLP/JSON export: %d", resp.StatusCode)
	}
	win := fmt.Sprintf("start=%d&end=%d", base.Unix()-60, base.Unix()+3600)
	tempo := func(path string) (int, []byte) {
		t.Helper()
		resp, err := http.Get("http://" + s.api + "/tempo" + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	searchTraces := func(q string) []string {
		t.Helper()
		code, b := tempo("/api/search?" + win + "&limit=100&spss=100&q=" + url.QueryEscape(q))
		if code != 200 {
			t.Fatalf("%s: %d %s", q, code, b)
		}
		var res struct {
			Traces []struct {
				TraceID string `json:"traceID"`
			} `json:"traces"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tr := range res.Traces {
			names = append(names, traceqltest.TraceName(tr.TraceID))
		}
		slices.Sort(names)
		return names
	}
	eventually(t, "all fixture traces searchable", func() bool { return len(searchTraces("{}")) == traceqltest.NumTraces() })

	// Every 4th conformance query through the binary.
	for i := 0; i < len(traceqltest.Cases); i += 4 {
		c := traceqltest.Cases[i]
		var want []string
		for _, n := range c.Want {
			want = append(want, fmt.Sprintf("T%d", n))
		}
		if got := searchTraces(c.Query); !slices.Equal(got, want) {
			t.Errorf("%s: traces %v, want %v", c.Query, got, want)
		}
	}

	q := url.QueryEscape
	golden := []struct{ name, path string }{
		{"trace_v1", "/api/traces/" + traceqltest.TraceID(6)},
		{"trace_v2", "/api/v2/traces/" + traceqltest.TraceID(6)},
		{"search_q", "/api/search?" + win + "&q=" + q(`{ status = error }`) + "&spss=2"},
		{"search_tags", "/api/search?" + win + "&tags=" + q(`service.name=cart`) + "&minDuration=35ms"},
		{"search_by_select", "/api/search?" + win + "&q=" + q(`{ kind = server } | by(resource.service.name) | count() >= 1 | select(span.http.status_code)`) + "&limit=1"},
		{"tag_values_v2_q", "/api/v2/search/tag/span.app.user/values?" + win + "&q=" + q(`{ status = error }`)},
		{"metrics_rate", "/api/metrics/query_range?" + win + "&step=60&q=" + q(`{ kind = server } | rate() by (resource.service.name)`)},
		{"metrics_quantile", "/api/metrics/query_range?" + win + "&step=1h&q=" + q(`{ name = "PlaceOrder" } | quantile_over_time(duration, .5, .9)`)},
	}
	shift := base.Sub(traceqltest.Base)
	for _, g := range golden {
		code, b := tempo(g.path)
		if code != 200 {
			t.Errorf("%s: %d %s", g.name, code, b)
			continue
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", g.name, err)
		}
		got, _ := json.MarshalIndent(unshift(v, shift), "", "  ")
		got = append(got, '\n')
		want, err := os.ReadFile(filepath.Join("..", "internal", "api", "testdata", "tempo", g.name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its golden file:\n%s", g.name, got)
		}
	}

	// Protobuf, as Grafana asks for it.
	req, _ := http.NewRequest(http.MethodGet, "http://"+s.api+"/tempo/api/traces/"+traceqltest.TraceID(2), nil)
	req.Header.Set("Accept", "application/protobuf")
	presp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pb, _ := io.ReadAll(presp.Body)
	presp.Body.Close()
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(pb)
	if err != nil || td.SpanCount() != 4 {
		t.Fatalf("protobuf trace: %v, %d spans, want 4", err, td.SpanCount())
	}
}

// unshift moves the time fields of a Tempo answer back by d.
func unshift(v any, d time.Duration) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			s, isStr := e.(string)
			switch {
			case isStr && (k == "startTimeUnixNano" || k == "endTimeUnixNano" || k == "timeUnixNano"):
				n, _ := strconv.ParseInt(s, 10, 64)
				x[k] = strconv.FormatInt(n-d.Nanoseconds(), 10)
			case isStr && k == "timestampMs":
				n, _ := strconv.ParseInt(s, 10, 64)
				x[k] = strconv.FormatInt(n-d.Milliseconds(), 10)
			default:
				x[k] = unshift(e, d)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = unshift(e, d)
		}
	}
	return v
}
