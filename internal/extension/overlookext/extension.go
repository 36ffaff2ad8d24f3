package overlookext

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensioncapabilities"
	"go.opentelemetry.io/collector/extension/extensionmiddleware"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/ingest/inflight"
	"github.com/overlook-dev/overlook/internal/logging"
	"github.com/overlook-dev/overlook/internal/prom/promcache"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// StoreProvider is implemented by the extension; exporters type-assert
// host extensions to it to find the store.
type StoreProvider interface {
	// Store returns the default tenant's store, or nil before Start /
	// after Shutdown.
	Store() store.Store
	// StoreFor returns tenant's store, opening the tenant on first use;
	// ErrTooManyTenants past multitenancy::max_tenants, store.ErrClosed
	// before Start / after Shutdown. With tenancy off every tenant is
	// the default one.
	StoreFor(ctx context.Context, tenant string) (store.Store, error)
}

// Extension owns the store and the API server.
type Extension struct {
	cfg     *Config
	set     extension.Settings
	metrics *telemetry.Metrics
	logger  *slog.Logger

	mu     sync.RWMutex
	store  store.Store // the default tenant's
	server *http.Server
	served chan error
	// prom holds the Prometheus mount's process-wide options; each tenant
	// stack has its own mount (tenant_stack.go).
	prom promMount
	// tenants are the open tenant stacks (tenants.go).
	tenants *tenantRegistry
	// ready is set while the collector's pipelines run (/ready).
	ready atomic.Bool
	// cancelQueries cancels the context of every API request.
	cancelQueries context.CancelFunc
	// keys are the ingestion keys (nil: none configured), loaded at Start
	// and read by the receivers' middleware (middleware_auth.go).
	keys atomic.Pointer[auth.IngestionKeys]
	// sessions are the browser logins, persisted under the auth
	// directory (auth.go), opened at Start.
	sessions *auth.Sessions
	// rebind moves the API off loopback once a user exists (auth.go).
	rebind *rebinder
	// tracer makes overlook's own spans; selfTraces stores them when
	// self_telemetry is enabled (selftelemetry.go).
	tracer     trace.Tracer
	selfTraces *sdktrace.TracerProvider
	// limiter applies the per-tenant overrides (config_overrides.go);
	// nil when none are configured.
	limiter *overrides.Limiter
	// inflight bounds the weight of the push requests being decoded or
	// waiting for their answer, across every receiver that uses this
	// extension as a middleware and remote write (ingest_inflight.go).
	inflight *inflight.Limiter
	// promCacheV is the PromQL results cache of every tenant (promcache.go).
	promCacheOnce sync.Once
	promCacheV    *promcache.Cache
}

// writeTimeoutMargin is how much longer than query_timeout the API's
// write timeout is at least, to encode and send a timeout answer.
const writeTimeoutMargin = 10 * time.Second

var (
	_ extension.Extension                   = (*Extension)(nil)
	_ extensioncapabilities.PipelineWatcher = (*Extension)(nil)
	_ extensionmiddleware.HTTPServer        = (*Extension)(nil)
	_ extensionmiddleware.GRPCServer        = (*Extension)(nil)
	_ IngestLimiter                         = (*Extension)(nil)
	_ StoreProvider                         = (*Extension)(nil)
	_ TenantLimiter                         = (*Extension)(nil)
)

func newExtension(cfg *Config, set extension.Settings, metrics *telemetry.Metrics) *Extension {
	e := &Extension{cfg: cfg, set: set, metrics: metrics,
		logger: logging.FromZap(set.Logger).With("component", set.ID.String())}
	e.limiter = newLimiter(cfg, e)
	e.inflight = newInflight(cfg.Ingest, metrics)
	return e
}

// Start opens the default tenant's stack (store, dashboards, alerts,
// APIs) and starts serving the API; other tenants' stacks open on first
// use (tenants.go).
func (e *Extension) Start(ctx context.Context, host component.Host) error {
	reg := newTenantRegistry(e)
	def, err := reg.get(ctx, tenancy.Default)
	if err != nil {
		return err
	}
	closeAll := func() error {
		var errs []error
		for _, s := range reg.stopAll() {
			errs = append(errs, s.store.Close())
		}
		e.stopSelfTraces(ctx)
		return errors.Join(errs...)
	}
	// Users are shared in the default tenant's store when it offers that
	// (ClickHouse: store_registry.go openUsers), else local files.
	users, err := e.startAuth(def.store)
	if err != nil {
		return errors.Join(err, closeAll())
	}
	e.metrics.SetStoreSize(reg.storeSize)
	e.metrics.SetStoreState(reg.storeState)
	endpoint, loopbackUntilUser := e.listenPlan(users)
	hc := e.cfg.HTTP
	hc.NetAddr.Endpoint = endpoint
	ln, err := hc.ToListener(ctx)
	if err != nil {
		return errors.Join(fmt.Errorf("listen for the API on %s (extensions::overlook::http::endpoint; is another process using the port?): %w",
			endpoint, err), closeAll())
	}
	rb := newRebinder(e, users)
	srv, err := e.cfg.HTTP.ToServer(ctx, host.GetExtensions(), e.set.TelemetrySettings,
		e.gateFor(users, newDispatcher(e, reg), rb.userAdded))
	if err != nil {
		return errors.Join(fmt.Errorf("configure the API server: %w", err), ln.Close(), closeAll())
	}
	// Every request's context derives from base, cancelled first thing
	// at Shutdown: running queries are interrupted instead of holding
	// the shutdown (and SIGTERM) until they finish.
	base, cancelQueries := context.WithCancel(context.Background())
	srv.BaseContext = func(net.Listener) context.Context { return base }
	// The timeout answer must be able to reach the client: a write
	// timeout at or below query_timeout (confighttp's default is 30s,
	// the default query_timeout too) dropped the connection instead of
	// sending the 504.
	if minWrite := e.cfg.QueryTimeout + writeTimeoutMargin; srv.WriteTimeout > 0 && srv.WriteTimeout < minWrite {
		e.logger.Info("raising the API's write timeout above query_timeout so that timeouts are answered",
			"http_write_timeout", srv.WriteTimeout, "effective", minWrite)
		srv.WriteTimeout = minWrite
	}
	served := make(chan error, 1)
	rb.srv, rb.cur = srv, ln
	if loopbackUntilUser {
		wctx, stopWatch := context.WithCancel(context.Background())
		rb.stop = stopWatch
		go rb.watch(wctx)
	}
	go func() { served <- rb.serve(ln) }()
	e.mu.Lock()
	e.store, e.tenants, e.server, e.served, e.cancelQueries, e.rebind = def.store, reg, srv, served, cancelQueries, rb
	e.mu.Unlock()
	e.logger.Info("store open and API listening", "backend", e.cfg.Storage.backend(), "directory", e.cfg.Storage.Directory,
		"endpoint", ln.Addr().String(), "multitenancy", e.cfg.Multitenancy.Enabled)
	return nil
}

// Shutdown stops the API and closes the stores. The collector calls it
// after every pipeline has stopped, so no export is in flight.
func (e *Extension) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	reg, srv, served, cancelQueries, rb := e.tenants, e.server, e.served, e.cancelQueries, e.rebind
	e.store, e.server, e.cancelQueries, e.rebind = nil, nil, nil, nil
	e.mu.Unlock()
	var stacks []*tenantStack
	if reg != nil {
		// Alerts and rules stop before the stores close: evaluations
		// read them. No tenant opens from here on.
		stacks = reg.stopAll()
	}
	if rb != nil {
		rb.shutdown() // before the server stops: no rebind while it does
	}
	if cancelQueries != nil {
		cancelQueries()
	}
	var errs []error
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop API server: %w", err))
		}
		if err := <-served; err != nil {
			errs = append(errs, fmt.Errorf("API server: %w", err))
		}
	}
	// Flush overlook's last own spans while the store still takes them.
	e.stopSelfTraces(ctx)
	if reg != nil {
		e.metrics.SetStoreSize(nil)
		e.metrics.SetStoreState(nil)
	}
	for _, s := range stacks {
		if err := s.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store of tenant %q: %w", s.name, err))
		}
	}
	return errors.Join(errs...)
}

// Store implements StoreProvider.
func (e *Extension) Store() store.Store {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.store
}

// StoreFor implements StoreProvider.
func (e *Extension) StoreFor(ctx context.Context, tenant string) (store.Store, error) {
	e.mu.RLock()
	reg := e.tenants
	e.mu.RUnlock()
	if reg == nil {
		return nil, store.ErrClosed
	}
	if !e.cfg.Multitenancy.Enabled || tenant == "" {
		tenant = tenancy.Default
	}
	s, err := reg.get(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return s.store, nil
}

// Ready implements extensioncapabilities.PipelineWatcher: /ready turns 200.
func (e *Extension) Ready() error {
	e.setReady(true)
	return nil
}

// NotReady implements extensioncapabilities.PipelineWatcher.
func (e *Extension) NotReady() error {
	e.setReady(false)
	return nil
}

// setReady marks every open tenant's API (not) ready; stacks opened later
// take e.ready.
func (e *Extension) setReady(ready bool) {
	e.ready.Store(ready)
	e.mu.RLock()
	reg := e.tenants
	e.mu.RUnlock()
	if reg == nil {
		return
	}
	for _, s := range reg.stacks() {
		s.api.SetReady(ready)
	}
}

// stopSelfTraces flushes and stops the self-telemetry span provider (if
// any). It runs before the store closes.
func (e *Extension) stopSelfTraces(ctx context.Context) {
	e.mu.Lock()
	tp := e.selfTraces
	e.selfTraces, e.tracer = nil, nil
	e.mu.Unlock()
	if tp == nil {
		return
	}
	if err := tp.Shutdown(ctx); err != nil {
		e.logger.Warn("self-telemetry: last spans not stored", "error", err)
	}
}
