package promapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// limitWrite applies the request tenant's overrides
// (extensions::overlook::multitenancy::overrides) to a decoded remote
// write, before anything of it is stored:
//
//   - samples_per_second / samples_burst over the request's samples and
//     histograms: past the rate the whole request is answered 429 with
//     Retry-After (Prometheus retries it only with queue_config's
//     retry_on_http_429: true); a request larger than the burst 400.
//   - max_active_series: the samples of new series past the cap are left
//     out; the returned error reports them (the handler answers 400 after
//     storing the rest, as for other rejected samples).
//
// It returns the request to store, the status code when it has answered
// the request itself (0: not answered), and the series refusal (nil: none).
func (h *Handler) limitWrite(w http.ResponseWriter, r *http.Request, req rwRequest) (rwRequest, int, error) {
	l := h.opts.Limiter
	if l == nil {
		return req, 0, nil
	}
	tenant, ok := tenancy.From(r.Context())
	if !ok {
		tenant = tenancy.Default
	}
	n := 0
	for _, s := range req.series {
		n += len(s.samples)
	}
	if err := l.Allow(tenant, overrides.Samples, n); err != nil {
		var rl *overrides.RateLimitedError
		if errors.As(err, &rl) {
			w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())))
			http.Error(w, err.Error(), http.StatusTooManyRequests)
			return req, http.StatusTooManyRequests, nil
		}
		http.Error(w, err.Error(), http.StatusBadRequest)
		return req, http.StatusBadRequest, nil
	}
	a := l.Series(tenant)
	kept, stored := req.series[:0], 0
	for _, s := range req.series {
		if !a.Admit(s.lset.Hash()) {
			continue
		}
		kept = append(kept, s)
		stored += len(s.samples)
	}
	req.series = kept
	if err := a.Done(); err != nil {
		err.Stored = stored
		return req, 0, err
	}
	return req, 0, nil
}
