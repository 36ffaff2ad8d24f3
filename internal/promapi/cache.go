package promapi

import (
	"github.com/overlook-dev/overlook/internal/prom/promcache"
	"github.com/overlook-dev/overlook/internal/prom/promsplit"
	"github.com/overlook-dev/overlook/internal/prom/promvec"
	"github.com/overlook-dev/overlook/internal/store"
)

// rangeEngine is how query_range evaluates: split in parallel parts
// (promsplit), and, with Options.Cache and a store that reports its write
// generations, answered from the results cache where it can be
// (promcache). A store that cannot report every write (ClickHouse: other
// writers) gets no cache.
func (h *Handler) rangeEngine(split *promsplit.Engine) promcache.RangeEngine {
	if h.opts.Cache == nil {
		return split
	}
	g, ok := h.opts.Reader.(store.MetricGenerationReporter)
	if !ok || g.MetricGenerations() == nil {
		return split
	}
	return promcache.NewEngine(split, h.opts.Cache, g.MetricGenerations(), h.opts.Tenant, h.parser)
}

// vectorized is the range-query engine promsplit cuts queries for: the
// vectorized evaluator over the engine (internal/prom/promvec), or the
// engine itself with Options.EngineOnly.
func (h *Handler) vectorized() promsplit.RangeEngine {
	if h.opts.EngineOnly {
		return h.engine
	}
	var observe func(string)
	if h.opts.Metrics != nil && h.opts.Metrics.PromQLEvaluations != nil {
		c := h.opts.Metrics.PromQLEvaluations
		observe = func(outcome string) { c.WithLabelValues(outcome).Inc() }
	}
	return promvec.New(h.engine, promvec.Options{
		MaxSamples: h.opts.MaxSamples, Timeout: h.opts.QueryTimeout, Observe: observe,
	}, nil)
}
