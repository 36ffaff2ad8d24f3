package overlookext

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/overlook-dev/overlook/internal/alerting/search"
	"github.com/overlook-dev/overlook/internal/api"
	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/clickhouse"
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/ui"
)

// tenantStack is everything one tenant owns: its store, dashboards,
// alerts and their scheduler, the native, Tempo and Prometheus APIs over
// them and the rules engine. Tenants are isolated by construction: no
// stack holds a reference to another's store.
type tenantStack struct {
	name    string
	store   store.Store
	api     *api.Server
	alerts  *search.Scheduler
	prom    *promMount
	handler http.Handler
}

// tenantStorage is the storage config of tenant's store: tenancy.Default
// keeps the configured directory and ClickHouse database (a single-tenant
// install that turns tenancy on keeps its data as the default tenant's);
// other tenants live in <directory>/tenants/<name> and database
// <database>_<name>. With tenancy on, the memory settings (totals) are
// divided across max_tenants, and the tenant's retention overrides apply.
func (e *Extension) tenantStorage(tenant string) (StorageConfig, error) {
	c := e.cfg.Storage
	c.Retention = tenantRetention(c.Retention, e.cfg.Multitenancy, tenant)
	if tenant != tenancy.Default {
		c.Directory = TenantDir(c.Directory, tenant)
		c.ClickHouse.Database = TenantDatabase(c.ClickHouse.Database, tenant)
	}
	if !e.cfg.Multitenancy.Enabled {
		return c, nil
	}
	return splitMemory(c, e.cfg.Multitenancy.maxTenants())
}

// TenantDir is where a tenant other than the default keeps its data.
func TenantDir(dataDir, tenant string) string {
	if tenant == tenancy.Default {
		return dataDir
	}
	return filepath.Join(dataDir, "tenants", tenant)
}

// tenantDataDir is the tenant's data directory (meta, alerts).
func (e *Extension) tenantDataDir(tenant string) string {
	return TenantDir(e.cfg.Storage.Directory, tenant)
}

// open builds tenant's stack. The default tenant's store also receives
// overlook's own spans (self-telemetry); every stack traces with that
// tracer.
func (e *Extension) openTenant(ctx context.Context, tenant string) (_ *tenantStack, err error) {
	sc, err := e.tenantStorage(tenant)
	if err != nil {
		return nil, err
	}
	log := e.logger
	if e.cfg.Multitenancy.Enabled {
		log = log.With("tenant", tenant)
	}
	if sc.backend() == "clickhouse" && tenant != tenancy.Default && sc.ClickHouse.CreatesSchema() {
		if err := clickhouse.EnsureDatabase(ctx, sc.ClickHouse); err != nil {
			return nil, fmt.Errorf("tenant %q: %w", tenant, err)
		}
	}
	st, err := openStore(ctx, &sc, log)
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", tenant, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, st.Close())
		}
	}()
	if tenant == tenancy.Default {
		tracer, selfTraces := e.startTracing(st)
		e.mu.Lock()
		e.tracer, e.selfTraces = tracer, selfTraces
		e.mu.Unlock()
		defer func() {
			if err != nil {
				e.stopSelfTraces(ctx)
			}
		}()
	}
	dir := e.tenantDataDir(tenant)
	ms, err := openMeta(st, dir)
	if err == nil {
		err = ms.Seed(meta.Prepared())
	}
	if err != nil {
		return nil, fmt.Errorf("open the metadata store (dashboards) of tenant %q: %w", tenant, err)
	}
	alertStore, err := openAlerts(st, dir)
	if err != nil {
		return nil, fmt.Errorf("open the metadata store (alerts) of tenant %q: %w", tenant, err)
	}
	reg := e.tenantRegisterer(tenant)
	sched := search.New(search.Options{Store: st, Alerts: alertStore, Dashboards: ms,
		Logger: log.With("alerting", "search"), Registerer: reg,
		EvaluationTimeout: e.cfg.SearchAlerts.EvaluationTimeout, ExternalURL: e.cfg.SearchAlerts.ExternalURL,
		Limits: e.cfg.Query.limits(), Retry: e.cfg.SearchAlerts.retry(), Labels: e.tenantLabels(tenant)})
	a := api.New(api.Options{Store: st, Metrics: e.metrics, Logger: log.With("api", "http"),
		QueryTimeout: e.cfg.QueryTimeout, Meta: ms, UI: ui.Handler(),
		Limits: e.cfg.Query.limits(), MaxResponseBytes: e.cfg.Query.maxResponseBytes(),
		Analysis: e.cfg.Query.analysis(), Tracer: e.Tracer(),
		Alerts: api.AlertOptions{Store: alertStore, Scheduler: sched}})
	pm := &promMount{targets: e.prom.targets, lastGood: e.prom.lastGood, tenant: tenant, reg: reg}
	handler, err := pm.mount(a, st, e)
	if err != nil {
		return nil, err
	}
	if e.ready.Load() {
		a.SetReady(true)
	}
	sched.Start()
	return &tenantStack{name: tenant, store: st, api: a, alerts: sched, prom: pm, handler: handler}, nil
}

// stop stops what evaluates or serves on the stack's store (before the
// API server is shut down nothing reads it any more).
func (s *tenantStack) stop() {
	s.alerts.Stop()
	s.prom.close()
}

// tenantRegisterer is where a tenant's alerting metrics go: the process
// registry, with a constant label tenant="<name>" when tenancy is on (so
// the stacks' rules engines do not replace each other's collectors).
func (e *Extension) tenantRegisterer(tenant string) prometheus.Registerer {
	if !e.cfg.Multitenancy.Enabled {
		return e.metrics.Registry
	}
	return prometheus.WrapRegistererWith(prometheus.Labels{"tenant": tenant}, e.metrics.Registry)
}

// tenantLabels are the labels every alert notice of tenant carries: with
// tenancy on, tenant="<name>" (nil otherwise: no change).
func (e *Extension) tenantLabels(tenant string) map[string]string {
	if !e.cfg.Multitenancy.Enabled {
		return nil
	}
	return map[string]string{"tenant": tenant}
}

// withTenantLabel returns labels with tenant added (tenancy on only).
func (e *Extension) withTenantLabel(labels map[string]string, tenant string) map[string]string {
	if !e.cfg.Multitenancy.Enabled {
		return labels
	}
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	out["tenant"] = tenant
	return out
}
