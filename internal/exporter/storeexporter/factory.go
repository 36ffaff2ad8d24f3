package storeexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// defaultTimeout bounds one export, waiting for its commit.
const defaultTimeout = 30 * time.Second

// Types the exporter is registered under.
var (
	Type           = component.MustNewType("overlook")
	ClickHouseType = component.MustNewType("clickhouse")
)

// NewFactory returns the exporter factory for the given type (Type or
// ClickHouseType).
func NewFactory(typ component.Type, metrics *telemetry.Metrics) exporter.Factory {
	create := func() component.Config {
		// 30 s, not exporterhelper's 5 s: a DuckDB checkpoint blocks
		// commits for up to a few seconds, and an export that times out
		// while its rows still commit is retried by the client and stored
		// twice (measured: docs/benchmarks.md).
		timeout := exporterhelper.NewDefaultTimeoutConfig()
		timeout.Timeout = defaultTimeout
		return &Config{
			Extension:     component.NewID(overlookext.Type),
			TimeoutConfig: timeout,
		}
	}
	return exporter.NewFactory(typ, create,
		exporter.WithTraces(func(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
			e := newExporter(cfg.(*Config), set, metrics)
			return exporterhelper.NewTraces(ctx, set, cfg, e.pushTraces, e.options(cfg.(*Config), false)...)
		}, component.StabilityLevelDevelopment),
		exporter.WithLogs(func(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
			e := newExporter(cfg.(*Config), set, metrics)
			return exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs, e.options(cfg.(*Config), true)...)
		}, component.StabilityLevelDevelopment),
		exporter.WithMetrics(func(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Metrics, error) {
			e := newExporter(cfg.(*Config), set, metrics)
			return exporterhelper.NewMetrics(ctx, set, cfg, e.pushMetrics, e.options(cfg.(*Config), true)...)
		}, component.StabilityLevelDevelopment),
	)
}

// options: no queue and no retry, deliberately. The receiver's client gets
// its answer only once the rows are committed (or refused), so an
// acknowledged export is durable and a refused one is retried by the
// client, which still holds the data. Batching happens in the store's group
// commit instead.
//
// mutates: the ingest limits truncate logs in place; traces are copied
// first when they need truncating (pushTraces), so the traces exporter
// shares its input with other consumers without the collector cloning
// every batch for it.
func (e *storeExporter) options(cfg *Config, mutates bool) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(e.start),
		exporterhelper.WithTimeout(cfg.TimeoutConfig),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: mutates}),
	}
}
