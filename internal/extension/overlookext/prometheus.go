package overlookext

import (
	"net/http"
	"sync"

	"github.com/overlook-dev/overlook/internal/prom/targets"
	"github.com/overlook-dev/overlook/internal/promapi"
	"github.com/overlook-dev/overlook/internal/store"
)

// PrometheusPrefix is where the Prometheus-compatible API is served.
const PrometheusPrefix = "/prometheus"

// Option configures the extension factory.
type Option func(*promMount)

// WithPrometheusTargets makes /prometheus/api/v1/targets list the targets
// of the `prometheus` receivers registered in reg (the registry given to
// their factory).
func WithPrometheusTargets(reg *targets.Registry) Option {
	return func(p *promMount) { p.targets = reg }
}

// promMount serves the Prometheus API (internal/promapi) under
// PrometheusPrefix next to the native API.
type promMount struct {
	targets *targets.Registry

	mu      sync.Mutex
	handler *promapi.Handler
}

// mount returns the API handler with /prometheus/ routed to a Prometheus
// API over st (if st can read metrics).
func (p *promMount) mount(api http.Handler, st store.Store, e *Extension) http.Handler {
	r, ok := st.(store.MetricReader)
	if !ok {
		return api
	}
	opts := promapi.Options{
		Prefix: PrometheusPrefix, Reader: r, Inserter: st,
		Logger: e.logger.With("api", "prometheus"), Metrics: e.metrics, QueryTimeout: e.cfg.QueryTimeout,
		MaxResponseBytes: e.cfg.Query.maxResponseBytes(),
	}
	if p.targets != nil {
		opts.Targets = p.targets
	}
	if m, ok := st.(store.MetricMetadataStore); ok {
		opts.Metadata = m
	}
	if rr, ok := st.(store.MetricResourceReader); ok {
		opts.Resources = rr
	}
	h := promapi.New(opts)
	p.mu.Lock()
	p.handler = h
	p.mu.Unlock()
	mux := http.NewServeMux()
	mux.Handle(PrometheusPrefix+"/", tracePrometheus(h, e.Tracer()))
	mux.Handle("/", api)
	return mux
}

// close releases the Prometheus API's query engine.
func (p *promMount) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.handler != nil {
		_ = p.handler.Close()
		p.handler = nil
	}
}
