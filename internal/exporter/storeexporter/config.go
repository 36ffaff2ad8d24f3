// Package storeexporter is the collector exporter that writes pipelines'
// data into overlook's store. It is registered under two types: `overlook`,
// and `clickhouse` so that ClickStack configurations whose pipelines say
// `exporters: [clickhouse]` reach the store unmodified.
package storeexporter

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Config is the exporter's configuration.
type Config struct {
	// Extension names the extension that owns the store. Default: overlook.
	Extension component.ID `mapstructure:"extension"`
	// Timeout bounds one export (waiting for the commit). Default 30s.
	exporterhelper.TimeoutConfig `mapstructure:",squash"`
}

// Validate implements component.ConfigValidator.
func (c *Config) Validate() error {
	if c.Timeout < 0 {
		return errors.New("timeout is negative: use a duration like 30s")
	}
	return nil
}
