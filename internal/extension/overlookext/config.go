// Package overlookext is the `overlook` collector extension: it owns the
// store and serves the query API, health endpoints and /metrics. Exporters
// of type `overlook` (and its ClickStack-compatible alias `clickhouse`) find
// the store through it.
package overlookext

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"

	"github.com/overlook-dev/overlook/internal/budget"
	"github.com/overlook-dev/overlook/internal/demo"
	"github.com/overlook-dev/overlook/internal/store/clickhouse"
	"github.com/overlook-dev/overlook/internal/store/duckdb"
)

// Config is the `overlook` extension's configuration.
type Config struct {
	// Storage configures the embedded store.
	Storage StorageConfig `mapstructure:"storage"`
	// HTTP is the API/UI listener (collector confighttp keys: endpoint,
	// tls, cors, ...). Default endpoint ":8080": loopback only until a
	// user exists, then every interface (docs/security.md).
	HTTP confighttp.ServerConfig `mapstructure:"http"`
	// QueryTimeout bounds every API query. Default 30s.
	QueryTimeout time.Duration `mapstructure:"query_timeout"`
	// Ingest bounds OTLP requests and the data stored (config_ingest.go).
	Ingest IngestConfig `mapstructure:"ingest"`
	// Query bounds query complexity and response size (config_query.go).
	Query QueryConfig `mapstructure:"query"`
	// Demo is the built-in demo generator (`overlook serve --demo`); the
	// command runs it, the extension only validates it. docs/demo.md.
	Demo demo.Config `mapstructure:"demo"`
	// Auth is access control: ingestion keys, sessions, the login rate
	// limit (config_auth.go, docs/security.md).
	Auth AuthConfig `mapstructure:"auth"`
	// SelfTelemetry sends overlook's own traces and metrics into its own
	// store (config_self.go, docs/self-monitoring.md).
	SelfTelemetry SelfTelemetryConfig `mapstructure:"self_telemetry"`
	// SearchAlerts configures alerts on searches and tiles (config_alerts.go).
	SearchAlerts SearchAlertsConfig `mapstructure:"search_alerts"`
	// Alerting evaluates Prometheus rule files (config_alerting.go).
	Alerting AlertingConfig `mapstructure:"alerting"`
	// Multitenancy isolates tenants (config_tenancy.go, docs/security.md)
	// and holds the per-tenant overrides (config_overrides.go); the
	// collector validates them (overrides.Config.Validate) as it walks
	// the config.
	Multitenancy MultitenancyConfig `mapstructure:"multitenancy"`
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
	// MaxQueueWait bounds how long an export waits for the store to take
	// its batch; past it the export is refused, retryably (gRPC
	// Unavailable, HTTP 503 + Retry-After). Default 2s; -1s: unbounded.
	MaxQueueWait time.Duration `mapstructure:"max_queue_wait"`
	// MaxCommitRows bounds the rows one group commit takes, so a commit's
	// duration (and an acknowledgement's wait) stays bounded under
	// overload. Default 32768; -1: unbounded.
	MaxCommitRows int `mapstructure:"max_commit_rows"`
	// MinFreeDisk is the free disk space (e.g. "1GiB", "500MB") below which
	// exports are refused, retryably, before a full disk stops the store.
	// Empty: 1GiB, at most 10% of the file system; "0": no floor.
	MinFreeDisk string `mapstructure:"min_free_disk"`
	// Layout is where spans and log records are kept: "parts" (the
	// default: Parquet parts behind the store's own write-ahead log) or
	// "duckdb" (DuckDB tables, the layout before version 0.4). Either
	// reads what the other wrote. docs/architecture.md, "Storage layout".
	Layout string `mapstructure:"layout"`
	// Parts tunes the "parts" layout.
	Parts PartsConfig `mapstructure:"parts"`
	// BlockSize is the DuckDB block size of a database file created in
	// directory (e.g. "64KiB"; a power of two from 16KiB to 256KiB); an
	// existing file keeps its own. Empty: 64KiB with layout "parts",
	// 256KiB with "duckdb" (docs/limits.md, "Store and memory").
	BlockSize string `mapstructure:"block_size"`
	// Backend is where telemetry is stored: "duckdb" (the default, the
	// embedded store in directory) or "clickhouse" (a ClickHouse server or
	// cluster, configured under clickhouse; docs/scale-out.md).
	Backend string `mapstructure:"backend"`
	// ClickHouse configures backend: clickhouse.
	ClickHouse clickhouse.Config `mapstructure:"clickhouse"`
}

// PartsConfig tunes the "parts" layout (docs/limits.md).
type PartsConfig struct {
	// PartRows: rows at which the in-memory head is written as a part.
	// Default 50000.
	PartRows int `mapstructure:"part_rows"`
	// FlushInterval: the head is written as a part once its oldest row
	// is this old. Default 5s. (Reads never wait for it: a query writes
	// the head first, so what was acknowledged is what is read.)
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// MergeRows: small parts are merged into parts of up to this many
	// rows. Default 1000000.
	MergeRows int `mapstructure:"merge_rows"`
	// MaxBufferedBytes (e.g. "64MiB") bounds, per signal, the rows held in
	// memory until they are written as a part; past it exports are
	// refused, retryably. Default: from the memory budget.
	MaxBufferedBytes string `mapstructure:"max_buffered_bytes"`
}

// maxBufferedBytes is MaxBufferedBytes in bytes (0: default).
func (c PartsConfig) maxBufferedBytes() (int64, error) {
	if strings.TrimSpace(c.MaxBufferedBytes) == "" {
		return 0, nil
	}
	n, err := budget.ParseBytes(c.MaxBufferedBytes)
	if err != nil {
		return 0, fmt.Errorf("storage::parts::max_buffered_bytes: %w", err)
	}
	return n, nil
}

// blockSize is BlockSize in bytes (0: the store's default).
func (c StorageConfig) blockSize() (int, error) {
	if strings.TrimSpace(c.BlockSize) == "" {
		return 0, nil
	}
	n, err := budget.ParseBytes(c.BlockSize)
	if err == nil && (n < duckdb.MinBlockSize || n > duckdb.MaxBlockSize || n&(n-1) != 0) {
		err = fmt.Errorf("%q is not a power of two from 16KiB to 256KiB", c.BlockSize)
	}
	if err != nil {
		return 0, fmt.Errorf("storage::block_size: %w", err)
	}
	return int(n), nil
}

// minFreeDisk is MinFreeDisk in the store's terms (0: default, -1: none).
func (c StorageConfig) minFreeDisk() (int64, error) {
	if strings.TrimSpace(c.MinFreeDisk) == "" {
		return 0, nil
	}
	n, err := budget.ParseBytes(c.MinFreeDisk)
	if err != nil {
		return 0, fmt.Errorf("storage::min_free_disk: %w", err)
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

// RetentionConfig is the per-signal retention.
type RetentionConfig struct {
	Logs    time.Duration `mapstructure:"logs"`
	Traces  time.Duration `mapstructure:"traces"`
	Metrics time.Duration `mapstructure:"metrics"`
	// Sessions is the retention of browser session recordings
	// (hyperdx_sessions). Default 720h (30 days), as ClickStack's.
	Sessions time.Duration `mapstructure:"sessions"`
}

const defaultRetention = 7 * 24 * time.Hour

// defaultSessionsRetention keeps session recordings 30 days (ClickStack's ttl: 720h).
const defaultSessionsRetention = 30 * 24 * time.Hour

func createDefaultConfig() *Config {
	httpCfg := confighttp.NewDefaultServerConfig()
	httpCfg.NetAddr.Endpoint = ":8080" // loopback until a user exists (auth.go)
	return &Config{
		Storage: StorageConfig{
			Directory: "./data",
			Retention: RetentionConfig{Logs: defaultRetention, Traces: defaultRetention, Metrics: defaultRetention,
				Sessions: defaultSessionsRetention},
		},
		HTTP:         httpCfg,
		QueryTimeout: 30 * time.Second,
		Ingest:       defaultIngestConfig(),
		Demo:         demo.DefaultConfig(),
		Auth:         defaultAuthConfig(),
		Multitenancy: defaultMultitenancyConfig(),
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
		"sessions": c.Storage.Retention.Sessions,
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
	if _, err := c.Storage.minFreeDisk(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.Storage.Parts.maxBufferedBytes(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.Storage.blockSize(); err != nil {
		errs = append(errs, err)
	}
	if err := (duckdb.Config{Dir: ".", Layout: c.Storage.Layout}).Validate(); err != nil {
		errs = append(errs, fmt.Errorf("storage::layout: %w", err))
	}
	p := c.Storage.Parts
	if p.PartRows < 0 || p.MergeRows < 0 || p.FlushInterval < 0 {
		errs = append(errs, errors.New("storage::parts: part_rows, merge_rows and flush_interval must not be negative"))
	}
	errs = append(errs, c.Storage.validateBackend())
	if c.HTTP.NetAddr.Endpoint == "" {
		errs = append(errs, errors.New("http::endpoint is empty: set it to host:port, e.g. 0.0.0.0:8080"))
	}
	if c.QueryTimeout < 0 {
		errs = append(errs, fmt.Errorf("query_timeout is negative (%s)", c.QueryTimeout))
	}
	if err := c.Ingest.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Demo.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Auth.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.SelfTelemetry.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.SearchAlerts.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Alerting.Validate(); err != nil {
		errs = append(errs, err)
	}
	// c.Multitenancy.Validate runs through the collector's recursive
	// validation (calling it here too reported every error twice).
	return errors.Join(errs...)
}
