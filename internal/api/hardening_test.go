package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// stubStore answers Search by waiting for the query's context (a query
// that outlives query_timeout), or with rows of a fixed size.
type stubStore struct {
	store.Store
	rows int
}

func (s stubStore) Search(ctx context.Context, _ store.SearchParams) (store.SearchResult, error) {
	if s.rows == 0 {
		<-ctx.Done()
		return store.SearchResult{}, fmt.Errorf("search logs: %w", ctx.Err())
	}
	var res store.SearchResult
	for i := range s.rows {
		res.Rows = append(res.Rows, store.Row{"Body": strings.Repeat("x", 1000), "i": i})
	}
	res.Count = int64(s.rows)
	return res, nil
}

func stubServer(t *testing.T, st store.Store, opts Options) *httptest.Server {
	opts.Store, opts.Metrics, opts.Logger = st, telemetry.New(), slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(New(opts))
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestQueryTimeoutIs504WithExactBody(t *testing.T) {
	srv := stubServer(t, stubStore{}, Options{QueryTimeout: 50 * time.Millisecond})
	code, body := post(t, srv.URL+"/api/search", `{"source":"logs","query":"x"}`)
	if code != http.StatusGatewayTimeout || body != `{"error":"query timed out after 50ms"}`+"\n" {
		t.Fatalf("got %d %q", code, body)
	}
}

func TestResponseCapIs422(t *testing.T) {
	srv := stubServer(t, stubStore{rows: 100}, Options{MaxResponseBytes: 50_000})
	code, body := post(t, srv.URL+"/api/search", `{"source":"logs","query":"x"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "50000 bytes") ||
		!strings.Contains(body, "extensions::overlook::query::max_response_bytes") {
		t.Fatalf("got %d %q", code, body)
	}
	srv = stubServer(t, stubStore{rows: 10}, Options{MaxResponseBytes: 50_000})
	if code, body := post(t, srv.URL+"/api/search", `{"source":"logs","query":"x"}`); code != http.StatusOK || !strings.HasSuffix(body, `"count":10}`+"\n") {
		t.Fatalf("under the cap: %d %.200q", code, body)
	}
}

func TestQueryLimitsAre400NamingTheKey(t *testing.T) {
	srv := stubServer(t, stubStore{rows: 1}, Options{Limits: query.Limits{MaxTerms: 3}})
	code, body := post(t, srv.URL+"/api/search", `{"source":"logs","query":"a OR b OR c OR d"}`)
	if code != http.StatusBadRequest || !strings.Contains(body, "extensions::overlook::query::max_terms") {
		t.Fatalf("search: got %d %q", code, body)
	}
	code, body = post(t, srv.URL+"/api/chart", `{"source":"logs","where":"a OR b OR c OR d","select":[{"aggFn":"count"}]}`)
	if code != http.StatusBadRequest || !strings.Contains(body, "extensions::overlook::query::max_terms") {
		t.Fatalf("chart: got %d %q", code, body)
	}
}

// Chart plans the request as the DuckDB store does, so its where is parsed
// within the request's limits.
func (s stubStore) Chart(_ context.Context, p store.ChartParams) (*query.ChartResult, error) {
	if _, err := query.PlanChart(p.Request, p.Start, p.End, query.DuckDB); err != nil {
		return nil, fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
	}
	return &query.ChartResult{}, nil
}

// TestInvalidUTF8ParamsAre400: bytes that are not UTF-8 in the path or a
// query parameter are refused before any handler runs. They used to reach
// DuckDB as bound parameters and come back as 500 ("could not bind
// parameter"), e.g. /api/metrics/labels?name=%ff and
// /api/values?field=LogAttributes['%ff'].
func TestInvalidUTF8ParamsAre400(t *testing.T) {
	srv := stubServer(t, stubStore{rows: 1}, Options{})
	tests := []struct{ path, want string }{
		{"/api/metrics/labels?name=%ff&type=gauge", `parameter \"name\" is not valid UTF-8`},
		{"/api/metrics/labels/values?name=x&type=gauge&label=Attributes.%fe", `parameter \"label\" is not valid UTF-8`},
		{"/api/values?source=logs&field=LogAttributes%5B%27%ff%27%5D", `parameter \"field\" is not valid UTF-8`},
		{"/api/fields?source=logs&%ff=1", `parameter name \"\\xff\" is not valid UTF-8`},
		{"/api/dashboards/%ff", "the path is not valid UTF-8"},
	}
	for _, tc := range tests {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d %s, want 400 containing %s", tc.path, resp.StatusCode, b, tc.want)
		}
	}
	// Valid UTF-8 passes through to the handler.
	resp, err := http.Get(srv.URL + "/api/dashboards/%C3%A9t%C3%A9")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusBadRequest {
		t.Errorf("valid UTF-8 path refused")
	}
}
