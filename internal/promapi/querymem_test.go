package promapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A query over MaxPoints stored points or MaxSamples engine samples is
// refused with 422 (errorType "execution") naming the config key that
// bounds it; under the bounds the same queries answer.
func TestQueryMemoryBounds(t *testing.T) {
	// The store holds 41 points of each of 3 series over the 10 minutes
	// before t0 (newTestAPI).
	rng := url.Values{"query": {"http_requests_total"}, "start": {"1795305000"}, "end": {"1795305600"}, "step": {"15"}}
	for _, tc := range []struct {
		name            string
		points, samples int
		code            int
		key             string
	}{
		// 2 series × 41 points are read; 2 × 41 steps are held.
		{"points over", 50, 0, http.StatusUnprocessableEntity, "query::promql_max_points"},
		{"samples over", 0, 30, http.StatusUnprocessableEntity, "query::promql_max_samples"},
		{"both under", 82, 82, http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newTestAPIWith(t, func(o *Options) { o.MaxPoints, o.MaxSamples, o.QueryParts = tc.points, tc.samples, 1 })
			code, env := get(t, srv, "query_range", rng)
			if code != tc.code {
				t.Fatalf("code %d (%s: %s), want %d", code, env.ErrorType, env.Error, tc.code)
			}
			if tc.key == "" {
				if env.Status != "success" || !strings.Contains(string(env.Data), `"job":"api"`) {
					t.Fatalf("answer %s", env.Data)
				}
				return
			}
			if env.ErrorType != "execution" || !strings.Contains(env.Error, "extensions::overlook::"+tc.key) {
				t.Fatalf("error %s: %q, want execution naming extensions::overlook::%s", env.ErrorType, env.Error, tc.key)
			}
		})
	}
}
