package overlookext

import (
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// TenantLimiter is implemented by the extension; the store exporters and
// the remote-write handler reach the per-tenant limits through it.
type TenantLimiter interface {
	// Limits returns the per-tenant limiter (nil: no limits).
	Limits() *overrides.Limiter
}

// Limits implements TenantLimiter.
func (e *Extension) Limits() *overrides.Limiter { return e.limiter }

// newLimiter builds the extension's limiter from its config (validated
// before the extension is created). One per extension instance: a config
// reload starts with full buckets and no active series.
func newLimiter(cfg *Config, e *Extension) *overrides.Limiter {
	o := cfg.Multitenancy.Overrides
	if o.Defaults == (overrides.Limits{}) && len(o.Tenants) == 0 {
		return nil
	}
	// The default tenant's counters start at 0 (as zero.go's): rate() and
	// increase() then see its first refusal.
	for _, sig := range []overrides.Signal{overrides.Spans, overrides.Logs, overrides.Samples} {
		for _, reason := range []string{overrides.ReasonRateLimited, overrides.ReasonBatchSize} {
			e.metrics.Tenant.Refused.WithLabelValues(tenancy.Default, sig.Label(), reason)
		}
		e.metrics.Tenant.DroppedAttributes.WithLabelValues(tenancy.Default, sig.Label())
	}
	e.metrics.Tenant.Refused.WithLabelValues(tenancy.Default, overrides.Samples.Label(), overrides.ReasonMaxSeries)
	return overrides.New(o, overrides.Options{
		Refused:           e.metrics.Tenant.Refused,
		DroppedAttributes: e.metrics.Tenant.DroppedAttributes,
	})
}
