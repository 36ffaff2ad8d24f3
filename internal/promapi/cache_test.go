package promapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/prom/promcache"
	"github.com/overlook-dev/overlook/internal/prom/promstorage"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// TestQueryRangeCache: with Options.Cache, query_range answers a repeated
// query from the cache with the uncached answer byte for byte, and a write
// into an old hour (remote write's path) changes the next answer as it
// changes the uncached one.
func TestQueryRangeCache(t *testing.T) {
	_, st := newTestAPI(t)
	m := telemetry.New()
	cache := promcache.New(promcache.Options{MaxBytes: 16 << 20, Metrics: m.PromQLCache})
	serve := func(c *promcache.Cache) *httptest.Server {
		h := New(Options{Prefix: "/prometheus", Reader: st, Resources: st, Targets: noTargets{},
			Logger: slog.New(slog.DiscardHandler), Cache: c, Tenant: "default"})
		t.Cleanup(func() { _ = h.Close() })
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv
	}
	cached, plain := serve(cache), serve(nil)
	body := func(srv *httptest.Server, params url.Values) string {
		resp, err := http.Get(srv.URL + "/prometheus/api/v1/query_range?" + params.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.Status + " " + string(b)
	}
	queries := []string{
		`sum by (job) (rate(http_requests_total[1m]))`,
		`http_requests_total`,
		`max_over_time(temperature[2m:30s])`,
	}
	params := func(qs string) url.Values {
		return url.Values{"query": {qs}, "start": {strconv.FormatInt(t0.Add(-11*time.Minute).Unix(), 10)},
			"end": {strconv.FormatInt(t0.Unix(), 10)}, "step": {"15"}}
	}
	before := map[string]string{}
	for round := range 2 {
		for _, qs := range queries {
			got, want := body(cached, params(qs)), body(plain, params(qs))
			if got != want {
				t.Fatalf("%s, round %d: cached answer\n%.2000s\nuncached\n%.2000s", qs, round, got, want)
			}
			if len(want) < 200 {
				t.Fatalf("%s: a short answer: %s", qs, want)
			}
			before[qs] = want
		}
	}
	if n := testutil.ToFloat64(m.PromQLCache.Queries.WithLabelValues("hit")); n != float64(len(queries)) {
		t.Fatalf("%v hits, want %d (the second round)", n, len(queries))
	}

	// Late samples into the data's first hour, as remote write stores them:
	// one between two scrapes of a series, one of a new series.
	app := promstorage.NewAppendable(st).AppenderV2(context.Background())
	ls := labels.FromStrings("__name__", "http_requests_total", "job", "api", "instance", "b:80", "code", "500")
	if _, err := app.Append(0, ls, 0, t0.Add(-5*time.Minute-5*time.Second).UnixMilli(), 1000, nil, nil, storage.AppendV2Options{}); err != nil {
		t.Fatal(err)
	}
	ls = labels.FromStrings("__name__", "http_requests_total", "job", "api", "instance", "c:80", "code", "200")
	if _, err := app.Append(0, ls, 0, t0.Add(-5*time.Minute).UnixMilli(), 7, nil, nil, storage.AppendV2Options{}); err != nil {
		t.Fatal(err)
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, qs := range queries[:2] {
		got, want := body(cached, params(qs)), body(plain, params(qs))
		if got != want {
			t.Fatalf("%s after the write: cached answer\n%.2000s\nuncached\n%.2000s", qs, got, want)
		}
		if got == before[qs] {
			t.Errorf("%s: the answer did not change after the write", qs)
		}
	}
	if n := testutil.ToFloat64(m.PromQLCache.Stale); n == 0 {
		t.Error("no cached hour was found stale")
	}
}

// TestRangeEngineNeedsGenerations: a store that cannot report its writes
// (ClickHouse: other writers) gets no cache, whatever Options.Cache says.
func TestRangeEngineNeedsGenerations(t *testing.T) {
	_, st := newTestAPI(t)
	cache := promcache.New(promcache.Options{MaxBytes: 1 << 20})
	for _, c := range []struct {
		name   string
		reader store.MetricReader
		cache  *promcache.Cache
		want   string
	}{
		{"generations", st, cache, "*promcache.Engine"},
		{"no generations", struct{ store.MetricReader }{st}, cache, "*promsplit.Engine"},
		{"no cache", st, nil, "*promsplit.Engine"},
	} {
		h := New(Options{Prefix: "/prometheus", Reader: c.reader, Logger: slog.New(slog.DiscardHandler), Cache: c.cache})
		if got := fmt.Sprintf("%T", h.ranges); got != c.want {
			t.Errorf("%s: range engine %s, want %s", c.name, got, c.want)
		}
		_ = h.Close()
	}
}
