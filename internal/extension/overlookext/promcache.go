package overlookext

import (
	"strings"

	"github.com/overlook-dev/overlook/internal/budget"
	"github.com/overlook-dev/overlook/internal/prom/promcache"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// DefaultPromQLCacheBytes is query::promql_cache_bytes when neither the
// config nor the memory budget (internal/budget, which sets it from the
// process's budget) gives one.
const DefaultPromQLCacheBytes = 32 << 20

// promQLCacheBytes is PromQLCacheBytes in bytes: "" the default, "0" off.
func (c QueryConfig) promQLCacheBytes() (int64, error) {
	if strings.TrimSpace(c.PromQLCacheBytes) == "" {
		return DefaultPromQLCacheBytes, nil
	}
	return budget.ParseBytes(c.PromQLCacheBytes)
}

// promCache is the process's PromQL results cache, shared by every
// tenant's Prometheus API (the tenant is part of its keys); nil when
// query::promql_cache_bytes is 0.
func (e *Extension) promCache() *promcache.Cache {
	e.promCacheOnce.Do(func() {
		n, err := e.cfg.Query.promQLCacheBytes()
		if err != nil || n <= 0 { // Validate refused a bad size
			return
		}
		var m *telemetry.PromQLCacheMetrics
		if e.metrics != nil {
			m = e.metrics.PromQLCache
		}
		e.promCacheV = promcache.New(promcache.Options{MaxBytes: n, Metrics: m})
	})
	return e.promCacheV
}
