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

	"github.com/overlook-dev/overlook/internal/alerting/search"
	"github.com/overlook-dev/overlook/internal/api"
	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/logging"
	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/ui"
)

// StoreProvider is implemented by the extension; exporters type-assert
// host extensions to it to find the store.
type StoreProvider interface {
	// Store returns the open store, or nil before Start / after Shutdown.
	Store() store.Store
}

// Extension owns the store and the API server.
type Extension struct {
	cfg     *Config
	set     extension.Settings
	metrics *telemetry.Metrics
	logger  *slog.Logger

	mu     sync.RWMutex
	store  store.Store
	api    *api.Server
	server *http.Server
	served chan error
	prom   promMount
	alerts *search.Scheduler
	// cancelQueries cancels the context of every API request.
	cancelQueries context.CancelFunc
	// keys are the ingestion keys (nil: none configured), loaded at Start
	// and read by the receivers' middleware (middleware_auth.go).
	keys atomic.Pointer[auth.IngestionKeys]
	// rebind moves the API off loopback once a user exists (auth.go).
	rebind *rebinder
	// tracer makes overlook's own spans; selfTraces stores them when
	// self_telemetry is enabled (selftelemetry.go).
	tracer     trace.Tracer
	selfTraces *sdktrace.TracerProvider
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
)

func newExtension(cfg *Config, set extension.Settings, metrics *telemetry.Metrics) *Extension {
	return &Extension{cfg: cfg, set: set, metrics: metrics,
		logger: logging.FromZap(set.Logger).With("component", set.ID.String())}
}

// Start opens the store and starts serving the API.
func (e *Extension) Start(ctx context.Context, host component.Host) error {
	st, err := openStore(ctx, &e.cfg.Storage, e.logger)
	if err != nil {
		return err
	}
	users, err := e.startAuth(st)
	if err != nil {
		return errors.Join(err, st.Close())
	}
	e.metrics.SetStoreSize(func() float64 { return float64(st.Stats().DiskBytes) })
	e.metrics.SetStoreState(func() telemetry.StoreState {
		s := st.Stats()
		return telemetry.StoreState{Healthy: s.Unhealthy == nil, DiskFreeBytes: s.DiskFreeBytes,
			FileFreeBytes: s.FileFreeBytes, MinFreeDiskBytes: s.MinFreeDiskBytes}
	})

	ms, err := openMeta(st, e.cfg.Storage.Directory)
	if err == nil {
		err = ms.Seed(meta.Prepared())
	}
	if err != nil {
		return errors.Join(fmt.Errorf("open the metadata store (dashboards): %w", err), st.Close())
	}
	alertStore, err := openAlerts(st, e.cfg.Storage.Directory)
	if err != nil {
		return errors.Join(fmt.Errorf("open the metadata store (alerts): %w", err), st.Close())
	}
	sched := search.New(search.Options{Store: st, Alerts: alertStore, Dashboards: ms,
		Logger: e.logger.With("alerting", "search"), Registerer: e.metrics.Registry,
		EvaluationTimeout: e.cfg.SearchAlerts.EvaluationTimeout, ExternalURL: e.cfg.SearchAlerts.ExternalURL,
		Limits: e.cfg.Query.limits(), Retry: e.cfg.SearchAlerts.retry()})
	tracer, selfTraces := e.startTracing(st)
	e.mu.Lock()
	e.tracer, e.selfTraces = tracer, selfTraces
	e.mu.Unlock()
	a := api.New(api.Options{Store: st, Metrics: e.metrics, Logger: e.logger.With("api", "http"),
		QueryTimeout: e.cfg.QueryTimeout, Meta: ms, UI: ui.Handler(),
		Limits: e.cfg.Query.limits(), MaxResponseBytes: e.cfg.Query.maxResponseBytes(),
		Analysis: e.cfg.Query.analysis(), Tracer: tracer,
		Alerts: api.AlertOptions{Store: alertStore, Scheduler: sched}})
	endpoint, loopbackUntilUser := e.listenPlan(users)
	hc := e.cfg.HTTP
	hc.NetAddr.Endpoint = endpoint
	ln, err := hc.ToListener(ctx)
	if err != nil {
		e.stopSelfTraces(ctx)
		return errors.Join(fmt.Errorf("listen for the API on %s (extensions::overlook::http::endpoint; is another process using the port?): %w",
			endpoint, err), st.Close())
	}
	handler, err := e.prom.mount(a, st, e)
	if err != nil {
		e.stopSelfTraces(ctx)
		return errors.Join(err, ln.Close(), st.Close())
	}
	rb := newRebinder(e, users)
	srv, err := e.cfg.HTTP.ToServer(ctx, host.GetExtensions(), e.set.TelemetrySettings,
		e.gateFor(users, handler, rb.userAdded))
	if err != nil {
		e.prom.close()
		e.stopSelfTraces(ctx)
		return errors.Join(fmt.Errorf("configure the API server: %w", err), ln.Close(), st.Close())
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
	sched.Start()
	e.mu.Lock()
	e.store, e.api, e.server, e.served, e.cancelQueries, e.rebind = st, a, srv, served, cancelQueries, rb
	e.alerts = sched
	e.mu.Unlock()
	e.logger.Info("store open and API listening", "backend", e.cfg.Storage.backend(), "directory", e.cfg.Storage.Directory, "endpoint", ln.Addr().String())
	return nil
}

// Shutdown stops the API and closes the store. The collector calls it after
// every pipeline has stopped, so no export is in flight.
func (e *Extension) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	st, srv, served, cancelQueries, rb, alerts := e.store, e.server, e.served, e.cancelQueries, e.rebind, e.alerts
	e.store, e.server, e.cancelQueries, e.rebind, e.alerts = nil, nil, nil, nil, nil
	e.mu.Unlock()
	if alerts != nil {
		alerts.Stop() // before the store closes: evaluations read it
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
	e.prom.close()
	// Flush overlook's last own spans while the store still takes them.
	e.stopSelfTraces(ctx)
	if st != nil {
		e.metrics.SetStoreSize(nil)
		e.metrics.SetStoreState(nil)
		if err := st.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
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

// Ready implements extensioncapabilities.PipelineWatcher: /ready turns 200.
func (e *Extension) Ready() error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.api != nil {
		e.api.SetReady(true)
	}
	return nil
}

// NotReady implements extensioncapabilities.PipelineWatcher.
func (e *Extension) NotReady() error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.api != nil {
		e.api.SetReady(false)
	}
	return nil
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
