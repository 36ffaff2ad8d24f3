package promreceiver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/discovery"
	"github.com/prometheus/prometheus/scrape"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/overlook-dev/overlook/internal/logging"
	"github.com/overlook-dev/overlook/internal/prom/targets"
)

// promReceiver runs a discovery manager and a scrape manager.
type promReceiver struct {
	cfg  *Config
	set  receiver.Settings
	next consumer.Metrics
	reg  *targets.Registry
	log  *slog.Logger

	cancel  context.CancelFunc
	scraper *scrape.Manager
	wg      sync.WaitGroup
}

func newReceiver(cfg *Config, set receiver.Settings, next consumer.Metrics, reg *targets.Registry) *promReceiver {
	return &promReceiver{cfg: cfg, set: set, next: next, reg: reg,
		log: logging.FromZap(set.Logger).With("component", set.ID.String())}
}

// Start starts discovery and scraping. Scrapes run in the background; a
// failing target shows up as `up 0`, a log line and in the targets API.
func (r *promReceiver) Start(_ context.Context, _ component.Host) error {
	pc := r.cfg.promConfig()
	scfgs, err := pc.GetScrapeConfigs()
	if err != nil {
		return fmt.Errorf("prometheus receiver %s: %w", r.set.ID, err)
	}
	// The managers' own metrics go to a private registry: two receivers
	// would otherwise collide registering them.
	reg := prometheus.NewRegistry()
	sdMetrics, err := discovery.CreateAndRegisterSDMetrics(reg)
	if err != nil {
		return fmt.Errorf("prometheus receiver %s: discovery metrics: %w", r.set.ID, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	dm := discovery.NewManager(ctx, r.log.With("part", "discovery"), reg, sdMetrics, discovery.Name(r.set.ID.String()))
	if dm == nil {
		cancel()
		return fmt.Errorf("prometheus receiver %s: cannot create the discovery manager", r.set.ID)
	}
	sdCfgs := make(map[string]discovery.Configs, len(scfgs))
	for _, sc := range scfgs {
		sdCfgs[sc.JobName] = sc.ServiceDiscoveryConfigs
	}
	if err := dm.ApplyConfig(sdCfgs); err != nil {
		cancel()
		return fmt.Errorf("prometheus receiver %s: service discovery: %w", r.set.ID, err)
	}
	app := &appendable{next: r.next, log: r.log, version: r.set.BuildInfo.Version}
	// PassMetadataInContext: the transaction finds its target (for the
	// resource and the failure log) in the appender's context.
	// AppendMetadata: each sample comes with its family name and type,
	// which group samples into OTLP metrics.
	opts := &scrape.Options{PassMetadataInContext: true, AppendMetadata: true}
	sm, err := scrape.NewManager(opts, r.log.With("part", "scrape"), nil, nil, app, reg)
	if err != nil {
		cancel()
		return fmt.Errorf("prometheus receiver %s: %w", r.set.ID, err)
	}
	if err := sm.ApplyConfig(pc); err != nil {
		cancel()
		return fmt.Errorf("prometheus receiver %s: scrape config: %w", r.set.ID, err)
	}
	r.cancel, r.scraper = cancel, sm
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		if err := dm.Run(); err != nil && !errors.Is(err, context.Canceled) {
			r.log.Error("service discovery stopped", "err", err)
		}
	}()
	go func() {
		defer r.wg.Done()
		if err := sm.Run(dm.SyncCh()); err != nil {
			r.log.Error("scrape manager stopped", "err", err)
		}
	}()
	r.reg.Add(r.set.ID.String(), sm)
	jobs := make([]string, len(scfgs))
	for i, sc := range scfgs {
		jobs[i] = sc.JobName
	}
	r.log.Info("prometheus receiver started", "jobs", jobs)
	return nil
}

// Shutdown stops scraping and discovery.
func (r *promReceiver) Shutdown(context.Context) error {
	if r.scraper == nil {
		return nil
	}
	r.reg.Remove(r.set.ID.String(), r.scraper)
	r.scraper.Stop()
	r.cancel()
	r.wg.Wait()
	r.scraper = nil
	return nil
}
