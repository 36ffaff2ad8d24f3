// Package storeexporter is the collector exporter that writes pipelines'
// data into overlook's store. It is registered under two types: `overlook`,
// and `clickhouse` so that ClickStack configurations whose pipelines say
// `exporters: [clickhouse]` reach the store unmodified.
package storeexporter

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/overlook-dev/overlook/internal/schema"
)

// Config is the exporter's configuration.
type Config struct {
	// Extension names the extension that owns the store. Default: overlook.
	Extension component.ID `mapstructure:"extension"`
	// Timeout bounds one export (waiting for the commit). Default 30s.
	exporterhelper.TimeoutConfig `mapstructure:",squash"`
	// LogsTableName is the ClickHouse exporter's key: the table log
	// records go to. "otel_logs" (default) or "hyperdx_sessions", where
	// ClickStack's collector routes browser session recordings (the
	// rr-web.* records of HyperDX's browser SDK).
	LogsTableName string `mapstructure:"logs_table_name"`
}

// Validate implements component.ConfigValidator.
func (c *Config) Validate() error {
	if c.Timeout < 0 {
		return errors.New("timeout is negative: use a duration like 30s")
	}
	switch c.LogsTableName {
	case "", schema.LogsTable, schema.SessionsTable:
	default:
		return fmt.Errorf("logs_table_name %q is not a table overlook has: use %s (the default) or %s (browser session recordings)",
			c.LogsTableName, schema.LogsTable, schema.SessionsTable)
	}
	return nil
}
