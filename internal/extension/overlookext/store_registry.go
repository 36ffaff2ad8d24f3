package overlookext

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/clickhouse"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

// storeFactory opens a backend from the extension's storage config.
type storeFactory func(ctx context.Context, c *StorageConfig, log *slog.Logger) (store.Store, error)

// storeFactories is the store registry (as Jaeger v2's storage extension):
// storage::backend names the factory; the extension looks the store up
// here instead of constructing one.
var storeFactories = map[string]storeFactory{
	"duckdb":     openDuckDB,
	"clickhouse": openClickHouse,
}

const defaultBackend = "duckdb"

func (c StorageConfig) backend() string {
	if c.Backend == "" {
		return defaultBackend
	}
	return strings.ToLower(c.Backend)
}

func backendNames() []string {
	names := make([]string, 0, len(storeFactories))
	for n := range storeFactories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// validateBackend checks storage::backend and the chosen backend's keys.
func (c StorageConfig) validateBackend() error {
	b := c.backend()
	if !slices.Contains(backendNames(), b) {
		return fmt.Errorf("storage::backend %q is unknown: use one of %s", c.Backend, strings.Join(backendNames(), ", "))
	}
	if b == "clickhouse" {
		// Validate itself runs through the collector's recursive
		// validation; the endpoint is required only with this backend.
		return c.ClickHouse.RequireEndpoint()
	}
	return nil
}

// sharedMeta is implemented by stores that keep the metadata (dashboards)
// every process on them shares (ClickHouse); nil: not available.
type sharedMeta interface {
	MetaDocument(key string) meta.Shared
}

// openMeta opens the dashboards: shared in the store when it offers that,
// else in <directory>/meta.
func openMeta(st store.Store, dir string) (*meta.Store, error) {
	if sm, ok := st.(sharedMeta); ok {
		if doc := sm.MetaDocument("dashboards"); doc != nil {
			return meta.OpenShared(doc)
		}
	}
	return meta.Open(filepath.Join(dir, "meta"))
}

// sharedMetaSet is implemented by stores that keep sets of metadata
// documents every process on them shares (ClickHouse: the alerts).
type sharedMetaSet interface {
	MetaSet(prefix string) meta.SharedSet
	Lease(name string, ttl time.Duration) meta.Lease
}

// openAlerts opens the alerts: shared in the store when it offers that,
// else <directory>/meta/alerts.json.
func openAlerts(st store.Store, dir string) (*meta.AlertStore, error) {
	if sm, ok := st.(sharedMetaSet); ok {
		if set := sm.MetaSet("alerts/"); set != nil {
			// One process evaluates them (the lease's holder).
			return meta.OpenSharedAlerts(set, sm.Lease("alerts", 0))
		}
	}
	return meta.OpenAlerts(filepath.Join(dir, "meta"))
}

// sharedAudit is implemented by stores that keep an audit log every
// process on them shares (ClickHouse).
type sharedAudit interface {
	AuditLog() *clickhouse.AuditLog
}

// openUsers opens the users, API tokens and audit log: shared in the store
// when it offers that (the users document and the audit log; local users
// of <directory>/auth are copied in at the first start), else
// <directory>/auth.
func openUsers(st store.Store, dir string) (*auth.Store, error) {
	sm, ok1 := st.(sharedMeta)
	sa, ok2 := st.(sharedAudit)
	if ok1 && ok2 {
		doc, log := sm.MetaDocument("users"), sa.AuditLog()
		if doc != nil && log != nil {
			return auth.OpenShared(AuthDir(dir), doc, auditSink{log})
		}
	}
	return auth.Open(AuthDir(dir))
}

// OpenUsers is openUsers for tools (`overlook user add`).
func OpenUsers(st store.Store, dir string) (*auth.Store, error) { return openUsers(st, dir) }

// auditSink adapts the ClickHouse audit log to auth.AuditSink.
type auditSink struct{ l *clickhouse.AuditLog }

func (a auditSink) Append(ev auth.Event) error {
	return a.l.Append(clickhouse.AuditRecord{Time: ev.Time, Actor: ev.Actor, Action: ev.Action, Target: ev.Target, Outcome: ev.Outcome, IP: ev.IP})
}

func (a auditSink) Read(limit int) ([]auth.Event, error) {
	recs, err := a.l.Read(limit)
	if err != nil {
		return nil, err
	}
	out := make([]auth.Event, len(recs))
	for i, r := range recs {
		out[i] = auth.Event{Time: r.Time, Actor: r.Actor, Action: r.Action, Target: r.Target, Outcome: r.Outcome, IP: r.IP}
	}
	return out, nil
}

// OpenConfigured opens the store that conf's extensions::overlook::storage
// configures, for a tool such as `overlook copy`, and names its backend.
// keepRetention false opens it without retention (a tool reading a
// store must never delete its rows); true keeps it (a ClickHouse store's
// tables are created with the TTL the servers will have).
func OpenConfigured(ctx context.Context, conf *confmap.Conf, keepRetention bool, log *slog.Logger) (store.Store, string, error) {
	cfg := createDefaultConfig()
	sub, err := conf.Sub("extensions::overlook")
	if err == nil {
		err = sub.Unmarshal(cfg)
	}
	if err != nil {
		return nil, "", fmt.Errorf("extensions::overlook: %w", err)
	}
	if err := cfg.Storage.validateBackend(); err != nil {
		return nil, "", err
	}
	if !keepRetention {
		cfg.Storage.Retention = RetentionConfig{}
	}
	st, err := openStore(ctx, &cfg.Storage, log)
	return st, cfg.Storage.backend(), err
}

// openStore opens the configured backend.
func openStore(ctx context.Context, c *StorageConfig, log *slog.Logger) (store.Store, error) {
	f, ok := storeFactories[c.backend()]
	if !ok {
		return nil, c.validateBackend()
	}
	return f(ctx, c, log.With("store", c.backend()))
}

func openDuckDB(_ context.Context, c *StorageConfig, log *slog.Logger) (store.Store, error) {
	minFree, err := c.minFreeDisk()
	if err != nil {
		return nil, err
	}
	maxBuffered, err := c.Parts.maxBufferedBytes()
	if err != nil {
		return nil, err
	}
	blockSize, err := c.blockSize()
	if err != nil {
		return nil, err
	}
	st, err := duckdb.Open(duckdb.Config{
		Dir: c.Directory,
		Retention: store.Retention{
			Logs:     c.Retention.Logs,
			Traces:   c.Retention.Traces,
			Metrics:  c.Retention.Metrics,
			Sessions: c.Retention.Sessions,
		},
		MaxPendingRows:         c.MaxPendingRows,
		MemoryLimit:            c.MemoryLimit,
		MaterializedAttributes: c.MaterializedAttributes,
		MaxQueueWait:           c.MaxQueueWait,
		MaxCommitRows:          c.MaxCommitRows,
		MinFreeDisk:            minFree,
		Layout:                 c.Layout,
		BlockSize:              blockSize,
		Parts: duckdb.PartsConfig{
			PartRows:         c.Parts.PartRows,
			FlushInterval:    c.Parts.FlushInterval,
			MergeRows:        c.Parts.MergeRows,
			MaxBufferedBytes: maxBuffered,
		},
	}, log)
	if err != nil {
		return nil, fmt.Errorf("open store in %q (extensions::overlook::storage::directory): %w", c.Directory, err)
	}
	return st, nil
}

func openClickHouse(ctx context.Context, c *StorageConfig, log *slog.Logger) (store.Store, error) {
	cfg := c.ClickHouse
	cfg.TTL = store.Retention{Logs: c.Retention.Logs, Traces: c.Retention.Traces, Metrics: c.Retention.Metrics, Sessions: c.Retention.Sessions}
	cfg.MaterializedAttributes = c.MaterializedAttributes
	st, err := clickhouse.Open(ctx, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("open the ClickHouse store (extensions::overlook::storage::clickhouse): %w", err)
	}
	return st, nil
}
