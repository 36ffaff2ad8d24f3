package telemetry

import "github.com/prometheus/client_golang/prometheus"

// TenantMetrics count what the per-tenant overrides
// (extensions::overlook::multitenancy::overrides) refused or trimmed.
type TenantMetrics struct {
	// Refused counts items (spans, log records, metric points or
	// remote-write samples) refused, by tenant, signal (traces, logs,
	// metrics) and reason (rate_limited, batch_too_large, max_series).
	Refused *prometheus.CounterVec
	// DroppedAttributes counts attributes dropped by max_attributes, by
	// tenant and signal.
	DroppedAttributes *prometheus.CounterVec
}

func newTenantMetrics(reg *prometheus.Registry) TenantMetrics {
	m := TenantMetrics{
		Refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_tenant_refused_total",
			Help: "Spans, log records and metric points refused by a tenant's overrides, by tenant, signal and reason (rate_limited, batch_too_large, max_series).",
		}, []string{"tenant", "signal", "reason"}),
		DroppedAttributes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_tenant_dropped_attributes_total",
			Help: "Attributes dropped by max_attributes (the tenant's or ingest::max_attributes, whichever is lower), by tenant and signal.",
		}, []string{"tenant", "signal"}),
	}
	reg.MustRegister(m.Refused, m.DroppedAttributes)
	return m
}
