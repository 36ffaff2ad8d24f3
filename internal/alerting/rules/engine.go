package rules

import (
	"go.opentelemetry.io/otel/trace"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/discovery/targetgroup"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/notifier"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	promrules "github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
)

// Options are what an Engine runs on. Every field is required unless
// said otherwise.
type Options struct {
	Config Config
	// QueryEngine and Parser evaluate rule expressions: pass the ones of
	// the /prometheus API so that rules and queries give the same results.
	QueryEngine promql.QueryEngine
	Parser      parser.Parser
	// Queryable reads the store's series (also ALERTS_FOR_STATE, to
	// restore `for` state at start).
	Queryable storage.Queryable
	// Appendable writes recording-rule output, ALERTS and
	// ALERTS_FOR_STATE into the store.
	Appendable storage.AppendableV2
	// Registerer receives the engine's metrics, with Prometheus's names
	// (prometheus_rule_*, prometheus_notifications_*); they are removed
	// at Stop. Nil: not registered.
	Registerer prometheus.Registerer
	Logger     *slog.Logger
	// LastGood, if set, keeps the rule files across engines of the
	// process: with broken files, New falls back to the last good ones.
	LastGood *LastGood
	// Tracer, if set, makes a span per rule group evaluation
	// (tracing.go).
	Tracer trace.Tracer
}

// Engine evaluates rule files and sends the alerts. Create it with New,
// start it with Run, stop it with Stop.
type Engine struct {
	cfg      Config
	opts     Options
	extLbls  labels.Labels
	loader   *loader
	manager  *promrules.Manager
	notifier *notifier.Manager
	channels []*dispatcher
	reg      *scopedRegisterer
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	runOnce    sync.Once
	reloadMu   sync.Mutex // serializes reloads
	statusMu   sync.Mutex
	reloadErr  error
	lastReload *prometheus.GaugeVec
	stopOnce   sync.Once
}

// New loads the rule files and prepares the engine. With broken files it
// fails, unless opts.LastGood holds files from an earlier engine of the
// process: then it runs those and reports the error (ReloadError, /rules
// warnings, prometheus_config_last_reload_successful 0).
func New(opts Options) (*Engine, error) {
	cfg := opts.Config.withDefaults()
	if opts.Logger == nil || opts.QueryEngine == nil || opts.Parser == nil || opts.Queryable == nil || opts.Appendable == nil {
		return nil, errors.New("BUG: rules.New needs a logger, query engine, parser, queryable and appendable")
	}
	files, loadErr := LoadFiles(cfg.RuleFiles, opts.Parser, opts.Logger)
	if loadErr != nil {
		files = opts.LastGood.get()
		if files == nil {
			return nil, loadErr
		}
		opts.Logger.Error("rule files are broken; evaluating the last rule files that loaded", "err", loadErr)
	} else {
		opts.LastGood.set(files)
		for _, g := range cfg.RuleFiles {
			opts.Logger.Debug("rule file pattern", "pattern", g)
		}
		if files.Empty() && len(cfg.RuleFiles) > 0 {
			opts.Logger.Warn("no rule file matches extensions::overlook::alerting::rule_files", "patterns", cfg.RuleFiles)
		}
	}
	e := &Engine{cfg: cfg, opts: opts, extLbls: labels.FromMap(cfg.ExternalLabels),
		loader: &loader{parser: opts.Parser, logger: opts.Logger}, reloadErr: loadErr}
	e.loader.files.Store(files)
	var reg prometheus.Registerer = prometheus.NewRegistry() // discarded
	if opts.Registerer != nil {
		e.reg = &scopedRegisterer{reg: opts.Registerer}
		reg = e.reg
	}
	e.lastReload = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "prometheus_config_last_reload_successful",
		Help: "Whether the last reload of the rule files (start, SIGHUP or /prometheus/-/reload) succeeded; 0: the previous rules are kept.",
	}, nil)
	if err := reg.Register(e.lastReload); err != nil {
		return nil, fmt.Errorf("register rule metrics: %w", err)
	}
	e.setReloadStatus(loadErr)

	n, err := newNotifier(cfg, e.extLbls, reg, opts.Logger.With("part", "notifier"))
	if err != nil {
		e.unregister()
		return nil, err
	}
	e.notifier = n
	if len(cfg.Channels) > 0 {
		// The delivery counter is shared with the search alerts (same
		// registry, reused when registered): not scoped to the engine.
		d := notify.NewDeliverer(cfg.Retry, opts.Registerer)
		for _, c := range cfg.Channels {
			ch, err := newDispatcher(c, cfg, e.extLbls, d, nil, opts.Logger.With("part", "channels"))
			if err != nil {
				e.unregister()
				return nil, err
			}
			e.channels = append(e.channels, ch)
		}
	}
	var send promrules.NotifyFunc
	if len(cfg.Alertmanagers) > 0 || len(cfg.Channels) == 0 {
		send = promrules.SendAlerts(n, cfg.ExternalURL)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.manager = promrules.NewManager(&promrules.ManagerOptions{
		NameValidationScheme:   model.UTF8Validation,
		QueryFunc:              promrules.EngineQueryFunc(opts.QueryEngine, opts.Queryable),
		NotifyFunc:             notifyFunc(send, e.channels),
		Context:                ctx,
		Appendable:             appendable{opts.Appendable},
		Queryable:              opts.Queryable,
		Logger:                 opts.Logger.With("part", "rule manager"),
		Registerer:             reg,
		OutageTolerance:        cfg.OutageTolerance,
		ForGracePeriod:         cfg.ForGracePeriod,
		ResendDelay:            cfg.ResendDelay,
		GroupLoader:            e.loader,
		DefaultRuleQueryOffset: func() time.Duration { return 0 },
		Parser:                 opts.Parser,
	})
	if err := e.update(files); err != nil {
		cancel()
		e.unregister()
		return nil, err
	}
	return e, nil
}

// Run starts evaluating and sending; it returns at once.
func (e *Engine) Run() { e.runOnce.Do(e.run) }

func (e *Engine) run() {
	tsets := make(chan map[string][]*targetgroup.Group, 1)
	tsets <- alertmanagerTargets(e.cfg.Alertmanagers)
	for _, d := range e.channels {
		d.start()
	}
	e.wg.Add(2)
	go func() {
		defer e.wg.Done()
		e.notifier.Run(tsets)
	}()
	go func() {
		defer e.wg.Done()
		e.manager.Run()
	}()
}

// Stop stops evaluating (the last evaluation finishes), then the
// notifier (queued alerts are sent first, within the Alertmanager
// timeout), and removes the engine's metrics.
func (e *Engine) Stop() {
	e.stopOnce.Do(func() {
		// The manager's groups wait for Run before they can stop.
		e.Run()
		e.manager.Stop()
		e.notifier.Stop()
		for _, d := range e.channels {
			d.halt()
		}
		e.cancel()
		e.wg.Wait()
		e.unregister()
	})
}

func (e *Engine) unregister() {
	if e.reg != nil {
		e.reg.unregisterAll()
	}
}

// Reload reads the rule files again. When they are broken, the rules in
// effect are kept, and the error is returned and reported (ReloadError,
// prometheus_config_last_reload_successful 0).
func (e *Engine) Reload() error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	files, err := LoadFiles(e.cfg.RuleFiles, e.opts.Parser, e.opts.Logger)
	if err == nil {
		err = e.update(files)
	}
	e.setReloadStatus(err)
	if err != nil {
		e.opts.Logger.Error("reloading rule files failed; the previous rules are kept", "err", err)
		return fmt.Errorf("reload rule files (the previous rules are kept): %w", err)
	}
	e.opts.LastGood.set(files)
	e.opts.Logger.Info("rule files reloaded", "files", len(files.Paths))
	return nil
}

// update makes the manager evaluate files.
func (e *Engine) update(files *Files) error {
	old := e.loader.files.Swap(files)
	if err := e.manager.Update(e.cfg.EvaluationInterval, files.Paths, e.extLbls, e.cfg.ExternalURL, evalIteration(e.opts.Tracer)); err != nil {
		e.loader.files.Store(old)
		return fmt.Errorf("load rule groups: %w", err)
	}
	return nil
}

func (e *Engine) setReloadStatus(err error) {
	e.statusMu.Lock()
	e.reloadErr = err
	e.statusMu.Unlock()
	ok := 1.0
	if err != nil {
		ok = 0
	}
	e.lastReload.WithLabelValues().Set(ok)
}

// ReloadError is the error of the last load of the rule files (start or
// reload) if it failed, else nil.
func (e *Engine) ReloadError() error {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	return e.reloadErr
}

// RuleGroups lists the rule groups being evaluated, with their rules'
// state (for the Alerts page and the rules API).
func (e *Engine) RuleGroups() []*promrules.Group { return e.manager.RuleGroups() }

// AlertingRules lists the alerting rules being evaluated.
func (e *Engine) AlertingRules() []*promrules.AlertingRule { return e.manager.AlertingRules() }
