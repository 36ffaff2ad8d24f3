package telemetry

import "github.com/prometheus/client_golang/prometheus"

// PromQLCacheMetrics instrument the PromQL results cache
// (internal/prom/promcache; extensions::overlook::query::promql_cache_bytes).
type PromQLCacheMetrics struct {
	// Queries counts range queries by outcome: hit (every step from the
	// cache), partial (some steps evaluated), miss (every step evaluated),
	// uncacheable (a query the cache does not take).
	Queries *prometheus.CounterVec
	// Steps counts the steps of cacheable queries by source (cached,
	// evaluated).
	Steps *prometheus.CounterVec
	// Stale counts cached hours dropped because their data changed.
	Stale prometheus.Counter
	// Evictions counts cached hours evicted to stay under the size bound.
	Evictions prometheus.Counter
	// Bytes and Entries are the cache's estimated size and its cached
	// hours; MaxBytes is its bound.
	Bytes, Entries, MaxBytes prometheus.Gauge
}

func newPromQLCacheMetrics(reg *prometheus.Registry) *PromQLCacheMetrics {
	m := &PromQLCacheMetrics{
		Queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_promql_cache_queries_total",
			Help: "PromQL range queries by results-cache outcome: hit (all steps cached), partial, miss (all evaluated), uncacheable.",
		}, []string{"outcome"}),
		Steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_promql_cache_steps_total",
			Help: "Steps of cacheable PromQL range queries, by source (cached, evaluated).",
		}, []string{"source"}),
		Stale: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "overlook_promql_cache_stale_total",
			Help: "Cached PromQL result hours dropped because data in the hours they read was written or deleted since.",
		}),
		Evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "overlook_promql_cache_evictions_total",
			Help: "Cached PromQL result hours evicted (least recently used) to stay under query::promql_cache_bytes.",
		}),
		Bytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "overlook_promql_cache_bytes",
			Help: "Estimated memory of the cached PromQL results.",
		}),
		Entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "overlook_promql_cache_entries",
			Help: "Cached PromQL result hours (one per query shape and hour of steps).",
		}),
		MaxBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "overlook_promql_cache_max_bytes",
			Help: "The PromQL results cache's bound (query::promql_cache_bytes; 0: off).",
		}),
	}
	reg.MustRegister(m.Queries, m.Steps, m.Stale, m.Evictions, m.Bytes, m.Entries, m.MaxBytes)
	return m
}
