// Package promreceiver is overlook's `prometheus` receiver: Prometheus's own
// scrape manager (service discovery limited to static, file and HTTP
// targets, so the binary does not link every cloud SDK), configured with
// the contrib receiver's keys, turning each scrape into OTLP metrics for
// the pipeline. See README.md.
package promreceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/overlook-dev/overlook/internal/prom/targets"
)

// Type is the receiver's component type.
var Type = component.MustNewType("prometheus")

// NewFactory returns the receiver factory. Running receivers register
// their scrape targets in reg, where the Prometheus API reads them.
func NewFactory(reg *targets.Registry) receiver.Factory {
	return receiver.NewFactory(Type,
		func() component.Config { return &Config{} },
		receiver.WithMetrics(func(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
			return newReceiver(cfg.(*Config), set, next, reg), nil
		}, component.StabilityLevelDevelopment))
}
