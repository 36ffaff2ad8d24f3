package overlookext

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strings"

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
	st, err := clickhouse.Open(ctx, cfg, log)
	if err != nil {
		return nil, fmt.Errorf("open the ClickHouse store (extensions::overlook::storage::clickhouse): %w", err)
	}
	return st, nil
}
