package overlookext

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/overlook-dev/overlook/internal/telemetry"
)

// Type is the extension's component type.
var Type = component.MustNewType("overlook")

// NewFactory returns the `overlook` extension factory. Every extension it
// creates reports to metrics.
func NewFactory(metrics *telemetry.Metrics, opts ...Option) extension.Factory {
	return extension.NewFactory(Type,
		func() component.Config { return createDefaultConfig() },
		func(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
			e := newExtension(cfg.(*Config), set, metrics)
			for _, o := range opts {
				o(&e.prom)
			}
			return e, nil
		},
		component.StabilityLevelDevelopment)
}
