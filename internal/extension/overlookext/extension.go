package overlookext

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensioncapabilities"
	"go.opentelemetry.io/collector/extension/extensionmiddleware"

	"github.com/overlook-dev/overlook/internal/api"
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
	// cancelQueries cancels the context of every API request.
	cancelQueries context.CancelFunc
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
	a := api.New(api.Options{Store: st, Metrics: e.metrics, Logger: e.logger.With("api", "http"),
		QueryTimeout: e.cfg.QueryTimeout, Meta: ms, UI: ui.Handler(),
		Limits: e.cfg.Query.limits(), MaxResponseBytes: e.cfg.Query.maxResponseBytes(),
		Analysis: e.cfg.Query.analysis()})
	ln, err := e.cfg.HTTP.ToListener(ctx)
	if err != nil {
		return errors.Join(fmt.Errorf("listen for the API on %s (extensions::overlook::http::endpoint; is another process using the port?): %w",
			e.cfg.HTTP.NetAddr.Endpoint, err), st.Close())
	}
	srv, err := e.cfg.HTTP.ToServer(ctx, host.GetExtensions(), e.set.TelemetrySettings, e.prom.mount(a, st, e))
	if err != nil {
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
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		served <- err
	}()
	e.mu.Lock()
	e.store, e.api, e.server, e.served, e.cancelQueries = st, a, srv, served, cancelQueries
	e.mu.Unlock()
	e.logger.Info("store open and API listening", "backend", e.cfg.Storage.backend(), "directory", e.cfg.Storage.Directory, "endpoint", ln.Addr().String())
	return nil
}

// Shutdown stops the API and closes the store. The collector calls it after
// every pipeline has stopped, so no export is in flight.
func (e *Extension) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	st, srv, served, cancelQueries := e.store, e.server, e.served, e.cancelQueries
	e.store, e.server, e.cancelQueries = nil, nil, nil
	e.mu.Unlock()
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
