// Package inflight bounds, across the whole process, the memory of the
// ingest requests being decoded or decoded but not yet answered: every
// push path (OTLP/gRPC, OTLP/HTTP, Prometheus remote write) takes a Hold
// on the request's weight (Weight) before it decodes it and releases it
// once the request is answered. A request that does not fit is refused at
// once, retryably (the caller answers gRPC UNAVAILABLE or HTTP 503 with
// Retry-After): the product's rule is to refuse early rather than buffer
// without bound, and nothing waits for room (a waiting request would hold
// its body anyway).
//
// The per-request limits (max_request_body_size, max_recv_msg_size,
// ingest::max_request_items) bound one request; the memory_limiter
// processor looks at the heap only after decoding. This bound is the one
// on how many requests are decoded at the same time.
package inflight

import (
	"fmt"
	"sync"

	"github.com/overlook-dev/overlook/internal/budget"
)

// Key is the configuration key of the bound, for messages.
const Key = "extensions::overlook::ingest::max_inflight_bytes"

// DecodeFactor is the weight of one byte of an uncompressed request body:
// the body itself plus what decoding it allocates. Decoding OTLP protobuf
// allocated 3.6× the body for spans with ~7 attributes and 3.8–4.6× for log
// records, 2.2× for OTLP/JSON (the body is larger), and up to 16× for
// requests made of tiny attributes (measured with
// BenchmarkDecodeAllocation); the body is held during decoding. 4 covers
// the common requests; the worst case is bounded per request by
// ingest::max_request_items.
const DecodeFactor = 4

// Weight is the bytes a request of bodyBytes uncompressed body bytes is
// charged.
func Weight(bodyBytes int64) int64 {
	return max(bodyBytes, 0) * DecodeFactor
}

// Gauge receives the bytes held after every change (a
// prometheus.Gauge satisfies it).
type Gauge interface{ Set(float64) }

// Limiter is a non-blocking weighted semaphore. The zero limit means no
// bound. A nil *Limiter admits everything.
type Limiter struct {
	limit int64
	gauge Gauge

	mu    sync.Mutex
	used  int64
	holds int
}

// New returns a limiter admitting at most limit bytes at once (limit ≤ 0:
// no bound). gauge may be nil.
func New(limit int64, gauge Gauge) *Limiter {
	return &Limiter{limit: max(limit, 0), gauge: gauge}
}

// Limit is the bound in bytes (0: none).
func (l *Limiter) Limit() int64 {
	if l == nil {
		return 0
	}
	return l.limit
}

// InUse returns the bytes held and the number of holds.
func (l *Limiter) InUse() (bytes int64, holds int) {
	if l == nil {
		return 0, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used, l.holds
}

// FullError is the refusal of a request that does not fit.
type FullError struct {
	Want, InUse, Limit int64
}

func (e *FullError) Error() string {
	return fmt.Sprintf("overloaded: requests being decoded hold %s of the %s allowed (%s), this one needs %s more; retry later, or raise the limit if the memory allows",
		budget.FormatBytes(e.InUse), budget.FormatBytes(e.Limit), Key, budget.FormatBytes(e.Want))
}

// Hold is one request's share of the limiter. A Hold belongs to one
// request: its methods are not safe for concurrent use, but Release may be
// called any number of times. The nil Hold (from a nil Limiter) holds
// nothing.
type Hold struct {
	l    *Limiter
	n    int64
	done bool
}

// Acquire takes n bytes, or refuses with a *FullError when they do not
// fit. A request alone is always admitted, whatever its weight: one
// larger than the limit could otherwise never pass (the per-request
// limits bound it).
func (l *Limiter) Acquire(n int64) (*Hold, error) {
	if l == nil {
		return nil, nil
	}
	n = max(n, 0)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.limit > 0 && l.holds > 0 && l.used+n > l.limit {
		return nil, &FullError{Want: n, InUse: l.used, Limit: l.limit}
	}
	l.used += n
	l.holds++
	l.observe()
	return &Hold{l: l, n: n}, nil
}

// GrowTo raises the hold to n bytes in all (nothing when it holds n
// already), once the request's size is better known; it refuses with a
// *FullError, holding what it held, when the rest does not fit. The hold
// of the only request always grows.
func (h *Hold) GrowTo(n int64) error {
	if h == nil || h.done || n <= h.n {
		return nil
	}
	l := h.l
	l.mu.Lock()
	defer l.mu.Unlock()
	more := n - h.n
	if l.limit > 0 && l.holds > 1 && l.used+more > l.limit {
		return &FullError{Want: more, InUse: l.used, Limit: l.limit}
	}
	l.used += more
	h.n = n
	l.observe()
	return nil
}

// Bytes is what the hold holds.
func (h *Hold) Bytes() int64 {
	if h == nil || h.done {
		return 0
	}
	return h.n
}

// Release gives the hold's bytes back. Later calls do nothing.
func (h *Hold) Release() {
	if h == nil || h.done {
		return
	}
	h.done = true
	l := h.l
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used -= h.n
	l.holds--
	l.observe()
}

// observe reports used to the gauge; l.mu is held.
func (l *Limiter) observe() {
	if l.gauge != nil {
		l.gauge.Set(float64(l.used))
	}
}
