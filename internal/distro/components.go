// Package distro wires overlook's collector distribution: which component
// factories exist, the embedded default configuration, how user files are
// merged over it, and the collector settings `overlook serve` runs with.
// Collector imports stay in this package and the component packages.
package distro

import (
	"fmt"

	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/servicegraphconnector"
	"github.com/open-telemetry/opentelemetry-collector-contrib/connector/spanmetricsconnector"
	"github.com/open-telemetry/opentelemetry-collector-contrib/exporter/prometheusremotewriteexporter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/basicauthextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/bearertokenauthextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/headerssetterextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/oidcauthextension"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/attributesprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/filterprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/probabilisticsamplerprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/resourceprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/tailsamplingprocessor"
	"github.com/open-telemetry/opentelemetry-collector-contrib/processor/transformprocessor"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/debugexporter"
	"go.opentelemetry.io/collector/exporter/otlpexporter"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/otelcol"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/batchprocessor"
	"go.opentelemetry.io/collector/processor/memorylimiterprocessor"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/service/telemetry/otelconftelemetry"

	"github.com/overlook-dev/overlook/internal/connector/routingconnector"
	"github.com/overlook-dev/overlook/internal/exporter/storeexporter"
	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/processor/tenantprocessor"
	"github.com/overlook-dev/overlook/internal/prom/targets"
	"github.com/overlook-dev/overlook/internal/receiver/promreceiver"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// Components returns every factory of the distribution. metrics is shared
// by overlook's own components; ext are more options of the `overlook`
// extension.
func Components(metrics *telemetry.Metrics, ext ...overlookext.Option) (otelcol.Factories, error) {
	var (
		f   otelcol.Factories
		err error
	)
	promTargets := targets.NewRegistry() // scrape targets: prometheus receivers → /prometheus/api/v1/targets
	if f.Extensions, err = otelcol.MakeFactoryMap[extension.Factory](
		overlookext.NewFactory(metrics, append([]overlookext.Option{overlookext.WithPrometheusTargets(promTargets)}, ext...)...),
		// The collector's own authenticators, so user configs with
		// `auth: {authenticator: basicauth|bearertokenauth|oidc}` work
		// (docs/security.md).
		basicauthextension.NewFactory(),
		bearertokenauthextension.NewFactory(),
		oidcauthextension.NewFactory(),
		// Forwards the request's tenant on outgoing requests (remote
		// write out: `from_attribute: tenant`; docs/security.md).
		headerssetterextension.NewFactory(),
	); err != nil {
		return f, fmt.Errorf("extensions: %w", err)
	}
	if f.Receivers, err = otelcol.MakeFactoryMap[receiver.Factory](
		metered(otlpreceiver.NewFactory(), metrics),
		metered(promreceiver.NewFactory(promTargets), metrics),
	); err != nil {
		return f, fmt.Errorf("receivers: %w", err)
	}
	if f.Processors, err = otelcol.MakeFactoryMap[processor.Factory](
		batchprocessor.NewFactory(),
		memorylimiterprocessor.NewFactory(),
		resourceprocessor.NewFactory(),
		attributesprocessor.NewFactory(),
		filterprocessor.NewFactory(),
		transformprocessor.NewFactory(),
		probabilisticsamplerprocessor.NewFactory(),
		tailsamplingprocessor.NewFactory(),
		// Stamps the request's tenant on every resource (multitenancy).
		tenantprocessor.NewFactory(),
	); err != nil {
		return f, fmt.Errorf("processors: %w", err)
	}
	if f.Exporters, err = otelcol.MakeFactoryMap[exporter.Factory](
		storeexporter.NewFactory(storeexporter.Type, metrics),
		storeexporter.NewFactory(storeexporter.ClickHouseType, metrics),
		otlpexporter.NewFactory(),
		otlphttpexporter.NewFactory(),
		debugexporter.NewFactory(),
		prometheusremotewriteexporter.NewFactory(),
	); err != nil {
		return f, fmt.Errorf("exporters: %w", err)
	}
	// Span metrics and the service graph (docs/trace-metrics.md).
	if f.Connectors, err = otelcol.MakeFactoryMap[connector.Factory](
		// One instance per tenant (tenantconnector.go).
		perTenant(withSpanSizes(spanmetricsconnector.NewFactory(), component.MustNewType("spanmetrics")), component.MustNewType("spanmetrics")),
		perTenant(withPairingCounters(servicegraphconnector.NewFactory(), component.MustNewType("servicegraph")), component.MustNewType("servicegraph")),
		// Routes browser session recordings to hyperdx_sessions
		// (docs/browser-monitoring.md), as ClickStack's collector does.
		// overlook's own logs `routing` connector with contrib's
		// configuration: contrib's module has no release served beside
		// collector v0.159.0 (docs/architecture.md).
		routingconnector.NewFactory(),
	); err != nil {
		return f, fmt.Errorf("connectors: %w", err)
	}
	f.Telemetry = otelconftelemetry.NewFactory()
	return f, nil
}
