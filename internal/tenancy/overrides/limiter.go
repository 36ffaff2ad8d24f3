package overrides

import (
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Signal is what an ingestion rate counts.
type Signal int

// The signals, in Ingestion's order.
const (
	Spans Signal = iota
	Logs
	Samples
	nSignals
)

func (s Signal) String() string {
	switch s {
	case Spans:
		return "spans"
	case Logs:
		return "logs"
	case Samples:
		return "samples"
	}
	return fmt.Sprintf("Signal(%d)", int(s))
}

// Label is the signal's value of the `signal` label on overlook's metrics
// (traces, logs, metrics, as overlook_receiver_items_total).
func (s Signal) Label() string {
	switch s {
	case Spans:
		return "traces"
	case Logs:
		return "logs"
	}
	return "metrics"
}

// Reasons of overlook_tenant_refused_total.
const (
	ReasonRateLimited = "rate_limited"
	ReasonBatchSize   = "batch_too_large"
	ReasonMaxSeries   = "max_series"
)

// Options are a Limiter's collaborators; the zero value works.
type Options struct {
	// Now is the clock (tests inject one). Default time.Now.
	Now func() time.Time
	// Refused counts refused items by tenant, signal and reason
	// (overlook_tenant_refused_total); nil: not counted.
	Refused *prometheus.CounterVec
	// DroppedAttributes counts attributes dropped by max_attributes, by
	// tenant and signal (overlook_tenant_dropped_attributes_total); nil:
	// not counted.
	DroppedAttributes *prometheus.CounterVec
}

// Limiter applies Config per tenant: a token bucket per signal and the
// active series of each tenant. Safe for concurrent use. A nil *Limiter
// limits nothing.
//
// Memory: a few hundred bytes per tenant that wrote recently (a tenant whose
// buckets are full again and who has no active series is forgotten), plus
// ≈ 40 bytes per active series of tenants with max_active_series.
type Limiter struct {
	cfg  Config
	opts Options

	mu      sync.Mutex
	tenants map[string]*tenantState
	swept   time.Time
}

// tenantState is one tenant's buckets (nil: no rate) and series (nil: no
// cap).
type tenantState struct {
	limits  Limits
	buckets [nSignals]*bucket
	series  *seriesSet
}

// forgetEvery is how often idle tenants' states are dropped.
const forgetEvery = 5 * time.Minute

// New returns a Limiter for cfg, which must be valid (Config.Validate).
func New(cfg Config, opts Options) *Limiter {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Limiter{cfg: cfg, opts: opts, tenants: map[string]*tenantState{}}
}

// Limits returns tenant's effective limits (Config.For).
func (l *Limiter) Limits(tenant string) Limits {
	if l == nil {
		return Limits{}
	}
	return l.cfg.For(tenant)
}

// state returns tenant's state, creating it. l.mu is held.
func (l *Limiter) state(tenant string, now time.Time) *tenantState {
	if now.Sub(l.swept) >= forgetEvery {
		l.forget(now)
	}
	if s, ok := l.tenants[tenant]; ok {
		return s
	}
	lim := l.cfg.For(tenant)
	s := &tenantState{limits: lim}
	in := lim.Ingestion
	for sig, r := range [nSignals]struct {
		rate  float64
		burst int
	}{{in.SpansPerSecond, in.SpansBurst}, {in.LogsPerSecond, in.LogsBurst}, {in.SamplesPerSecond, in.SamplesBurst}} {
		if r.rate > 0 {
			s.buckets[sig] = newBucket(r.rate, r.burst, now)
		}
	}
	if lim.MaxActiveSeries > 0 {
		s.series = newSeriesSet(lim.MaxActiveSeries)
	}
	l.tenants[tenant] = s
	return s
}

// forget drops the states a new one would equal: every bucket full, no
// active series. l.mu is held.
func (l *Limiter) forget(now time.Time) {
	l.swept = now
	for t, s := range l.tenants {
		idle := true
		for _, b := range s.buckets {
			if b != nil && !b.full(now) {
				idle = false
			}
		}
		if s.series != nil {
			s.series.mu.Lock()
			s.series.expire(now)
			idle = idle && len(s.series.last) == 0
			s.series.mu.Unlock()
		}
		if idle {
			delete(l.tenants, t)
		}
	}
}

// Allow takes n items of sig from tenant's bucket. It returns nil (taken),
// a *RateLimitedError (nothing taken; retry later) or a
// *BatchTooLargeError (n can never pass), and counts refusals.
func (l *Limiter) Allow(tenant string, sig Signal, n int) error {
	_, err := l.Reserve(Want{Tenant: tenant, Signal: sig, N: n})
	return err
}

// key names the config key that sets leaf for tenant: its override if it
// has one, else the default.
func (l *Limiter) key(tenant, leaf string) string {
	if _, ok := l.cfg.Tenants[tenant]; ok {
		return fmt.Sprintf("extensions::overlook::%s::tenants::%s::%s", KeyPrefix, tenant, leaf)
	}
	return fmt.Sprintf("extensions::overlook::%s::defaults::%s", KeyPrefix, leaf)
}

// CountRefused adds n refused items to overlook_tenant_refused_total.
func (l *Limiter) CountRefused(tenant string, sig Signal, reason string, n int) {
	if l != nil && l.opts.Refused != nil && n > 0 {
		l.opts.Refused.WithLabelValues(tenant, sig.Label(), reason).Add(float64(n))
	}
}

// CountDroppedAttributes adds n to overlook_tenant_dropped_attributes_total.
func (l *Limiter) CountDroppedAttributes(tenant string, sig Signal, n int) {
	if l != nil && l.opts.DroppedAttributes != nil && n > 0 {
		l.opts.DroppedAttributes.WithLabelValues(tenant, sig.Label()).Add(float64(n))
	}
}
