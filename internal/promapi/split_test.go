package promapi

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
)

// TestQueryRangeSplit: the API evaluates a long range query in parts
// (QueryParts) with the answer of the whole query, byte for byte.
func TestQueryRangeSplit(t *testing.T) {
	_, st := newTestAPI(t)
	serve := func(parts int) *httptest.Server {
		h := New(Options{Prefix: "/prometheus", Reader: st, Resources: st, Targets: noTargets{},
			Logger: slog.New(slog.DiscardHandler), QueryParts: parts})
		t.Cleanup(func() { _ = h.Close() })
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv
	}
	whole, split := serve(1), serve(3)
	body := func(srv *httptest.Server, params url.Values) string {
		resp, err := http.Get(srv.URL + "/prometheus/api/v1/query_range?" + params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Status + " " + string(b)
	}
	for _, qs := range []string{
		`sum by (job) (rate(http_requests_total[1m]))`,
		`http_requests_total`,
		`temperature offset 2m`,
		`avg_over_time(temperature[3m:30s])`,
		`sort(http_requests_total)`,
		`http_requests_total @ end()`,
	} {
		// 10 min of data in 1 s steps: 661 steps, 3 parts.
		params := url.Values{"query": {qs}, "start": {strconv.FormatInt(t0.Add(-11*time.Minute).Unix(), 10)},
			"end": {strconv.FormatInt(t0.Unix(), 10)}, "step": {"1"}}
		got, want := body(split, params), body(whole, params)
		if got != want {
			t.Errorf("%s: split answer\n%.2000s\nwhole answer\n%.2000s", qs, got, want)
		}
		if len(want) < 200 {
			t.Errorf("%s: a short answer: %s", qs, want)
		}
	}
	// The handler's range engine splits such a query.
	h := New(Options{Prefix: "/prometheus", Reader: st, Logger: slog.New(slog.DiscardHandler), QueryParts: 3})
	defer h.Close()
	q, err := h.ranges.NewRangeQuery(t.Context(), h.queryable, nil, `http_requests_total`, t0.Add(-11*time.Minute), t0, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if _, ok := q.Statement().(*parser.EvalStmt); !ok || fmt.Sprintf("%T", q) != "*promsplit.splitQuery" {
		t.Errorf("query type %T, want a split query", q)
	}
}
