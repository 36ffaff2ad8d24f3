// Package overlookext is the `overlook` collector extension: it owns the
// store and serves the query API, health endpoints and /metrics. Exporters
// of type `overlook` (and its ClickStack-compatible alias `clickhouse`) find
// the store through it.
package overlookext

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

// Config is the `overlook` extension's configuration.
type Config struct {
	// Storage configures the embedded store.
	Storage StorageConfig `mapstructure:"storage"`
	// HTTP is the API/UI listener (collector confighttp keys: endpoint,
	// tls, cors, ...). Default endpoint 0.0.0.0:8080.
	HTTP confighttp.ServerConfig `mapstructure:"http"`
	// QueryTimeout bounds every API query. Default 30s.
	QueryTimeout time.Duration `mapstructure:"query_timeout"`
	// Query bounds query complexity and response size (config_query.go).
	Query QueryConfig `mapstructure:"query"`
}

// StorageConfig configures the embedded DuckDB store.
type StorageConfig struct {
	// Directory holds the database file. Default ./data; `overlook serve
	// --data DIR` sets it.
	Directory string `mapstructure:"directory"`
	// Retention is how long each signal is kept. Default 168h (7 days)
	// each; 0 keeps forever.
	Retention RetentionConfig `mapstructure:"retention"`
	// MaxPendingRows bounds rows waiting to be committed; past it exports
	// are refused with a retryable error. 0 uses the store's default.
	MaxPendingRows int `mapstructure:"max_pending_rows"`
	// MemoryLimit caps the store engine's memory, e.g. "4GB". Empty uses
	// the store's default.
	MemoryLimit string `mapstructure:"memory_limit"`
	// MaterializedAttributes stores more attributes in real columns,
	// besides the built-in hot keys (k8s namespace/deployment/pod,
	// host.name, service.version, http.*, rpc.method, db.system,
	// app.payment.card_type): per source (traces, logs), a list of
	// "MapColumn.key", e.g. traces: [SpanAttributes.app.payment.card_type].
	// Charts, filters and value lists on them read the column (≈ 8× less
	// CPU than the map). Columns are added and filled at start-up.
	MaterializedAttributes map[string][]string `mapstructure:"materialized_attributes"`
}

// RetentionConfig is the per-signal retention.
type RetentionConfig struct {
	Logs    time.Duration `mapstructure:"logs"`
	Traces  time.Duration `mapstructure:"traces"`
	Metrics time.Duration `mapstructure:"metrics"`
}

const defaultRetention = 7 * 24 * time.Hour

func createDefaultConfig() *Config {
	httpCfg := confighttp.NewDefaultServerConfig()
	httpCfg.NetAddr.Endpoint = "0.0.0.0:8080"
	return &Config{
		Storage: StorageConfig{
			Directory: "./data",
			Retention: RetentionConfig{Logs: defaultRetention, Traces: defaultRetention, Metrics: defaultRetention},
		},
		HTTP:         httpCfg,
		QueryTimeout: 30 * time.Second,
	}
}

// Validate checks the configuration and says how to fix what is wrong.
func (c *Config) Validate() error {
	var errs []error
	if c.Storage.Directory == "" {
		errs = append(errs, errors.New("storage::directory is empty: set it to a writable directory, e.g. ./data"))
	}
	for name, d := range map[string]time.Duration{
		"logs": c.Storage.Retention.Logs, "traces": c.Storage.Retention.Traces, "metrics": c.Storage.Retention.Metrics,
	} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("storage::retention::%s is negative (%s): use a duration like 72h, or 0 to keep forever", name, d))
		}
	}
	// Only the attribute list is checked here: the rest of the store's
	// config is validated above with the user's names.
	if err := (duckdb.Config{Dir: ".", MaterializedAttributes: c.Storage.MaterializedAttributes}).Validate(); err != nil {
		errs = append(errs, fmt.Errorf("storage::materialized_attributes: %w", err))
	}
	if c.Storage.MaxPendingRows < 0 {
		errs = append(errs, fmt.Errorf("storage::max_pending_rows is negative (%d)", c.Storage.MaxPendingRows))
	}
	if c.HTTP.NetAddr.Endpoint == "" {
		errs = append(errs, errors.New("http::endpoint is empty: set it to host:port, e.g. 0.0.0.0:8080"))
	}
	if c.QueryTimeout < 0 {
		errs = append(errs, fmt.Errorf("query_timeout is negative (%s)", c.QueryTimeout))
	}
	return errors.Join(errs...)
}
