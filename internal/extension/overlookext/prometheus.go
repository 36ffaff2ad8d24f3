package overlookext

import (
	"fmt"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/overlook-dev/overlook/internal/alerting/rules"
	"github.com/overlook-dev/overlook/internal/prom/promstorage"
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

// WithRuleFiles keeps the last rule files that loaded across restarts of
// the extension in one process (a collector reload on SIGHUP), so that a
// broken rule file at a reload keeps the old rules instead of stopping
// the server. Create lg once per process.
func WithRuleFiles(lg *rules.LastGood) Option {
	return func(p *promMount) { p.lastGood = lg }
}

// promMount serves the Prometheus API (internal/promapi) under
// PrometheusPrefix next to the native API.
type promMount struct {
	targets  *targets.Registry
	lastGood *rules.LastGood
	// tenant whose store the mount reads and writes; reg receives its
	// rules engine's metrics (tenant_stack.go).
	tenant string
	reg    prometheus.Registerer

	mu      sync.Mutex
	handler *promapi.Handler
	rules   *rules.Engine
}

// mount returns the API handler with /prometheus/ routed to a Prometheus
// API over st (if st can read metrics), and starts the rules engine.
func (p *promMount) mount(api http.Handler, st store.Store, e *Extension) (http.Handler, error) {
	r, ok := st.(store.MetricReader)
	if !ok {
		return api, nil
	}
	opts := promapi.Options{
		Prefix: PrometheusPrefix, Reader: r, Inserter: st,
		Logger: e.logger.With("api", "prometheus"), Metrics: e.metrics, QueryTimeout: e.cfg.QueryTimeout,
		MaxResponseBytes: e.cfg.Query.maxResponseBytes(), Limiter: e.limiter, QueryParts: e.cfg.Query.PromQLParts,
		MaxPoints: e.cfg.Query.PromQLMaxPoints, MaxSamples: e.cfg.Query.PromQLMaxSamples,
		Cache: e.promCache(), Tenant: p.tenant, Inflight: e.inflight,
		EngineOnly: e.cfg.Query.PromQLEvaluator == "engine",
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
	re, err := p.startRules(h, st, e)
	if err != nil {
		_ = h.Close()
		return nil, err
	}
	p.mu.Lock()
	p.handler, p.rules = h, re
	p.mu.Unlock()
	mux := http.NewServeMux()
	rh := re.Handler(PrometheusPrefix)
	for _, path := range []string{"/api/v1/rules", "/api/v1/alerts", "/-/reload"} {
		mux.Handle(PrometheusPrefix+path, tracePrometheus(rh, e.Tracer()))
	}
	mux.Handle(PrometheusPrefix+"/", tracePrometheus(h, e.Tracer()))
	// The rule channels' last deliveries, for the Alerts page.
	mux.Handle("GET /api/alerts/rule-channels", re.ChannelsHandler())
	mux.Handle("POST /api/alerts/rule-channels/{name}/test", re.TestHandler())
	mux.Handle("/", api)
	return mux, nil
}

// startRules starts the rules engine (extensions::overlook::alerting) on
// the Prometheus API's query engine, reading and writing st.
func (p *promMount) startRules(h *promapi.Handler, st store.Store, e *Extension) (*rules.Engine, error) {
	cfg, err := e.cfg.Alerting.rulesOptions(e.cfg.HTTP.NetAddr.Endpoint)
	if err != nil {
		return nil, err
	}
	// With tenancy on, every alert of a tenant's rules carries its
	// tenant as an external label.
	cfg.ExternalLabels = e.withTenantLabel(cfg.ExternalLabels, p.tenant)
	reg := p.reg
	if reg == nil {
		reg = e.metrics.Registry
	}
	re, err := rules.New(rules.Options{Config: cfg, QueryEngine: h.QueryEngine(), Parser: h.Parser(),
		Queryable: h.Queryable(), Appendable: promstorage.NewAppendable(st), Registerer: reg,
		Logger: e.logger.With("part", "rules"), LastGood: p.lastGood, Tracer: e.Tracer()})
	if err != nil {
		return nil, fmt.Errorf("extensions::overlook::alerting::rule_files: %w", err)
	}
	re.Run()
	return re, nil
}

// close stops the rules engine and releases the Prometheus API's query
// engine.
func (p *promMount) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.rules != nil {
		p.rules.Stop()
		p.rules = nil
	}
	if p.handler != nil {
		_ = p.handler.Close()
		p.handler = nil
	}
}
