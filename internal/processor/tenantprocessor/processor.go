// Package tenantprocessor is the `overlook_tenant` processor: it stamps
// every resource with the tenant of the request that carried it
// (tenancy.ResourceAttribute), overwriting what a client sent, and
// removes the attribute when the request names no tenant. With
// multitenancy on, the distro's config converter puts it first in every
// pipeline fed by a receiver, so that the tenant survives what loses the
// request's context (span metrics and service graph connectors, which emit
// on their own timer; a batch processor) and the store exporter writes
// every resource to its tenant (docs/security.md, "Tenancy").
package tenantprocessor

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/overlook-dev/overlook/internal/tenancy"
)

// Type is the processor's component type.
var Type = component.MustNewType("overlook_tenant")

// Config has no settings.
type Config struct{}

// NewFactory returns the processor's factory.
func NewFactory() processor.Factory {
	caps := processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true})
	return processor.NewFactory(Type, func() component.Config { return &Config{} },
		processor.WithTraces(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
			return processorhelper.NewTraces(ctx, set, cfg, next, func(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
				rs := td.ResourceSpans()
				for i := 0; i < rs.Len(); i++ {
					Stamp(ctx, rs.At(i).Resource())
				}
				return td, nil
			}, caps)
		}, component.StabilityLevelDevelopment),
		processor.WithLogs(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
			return processorhelper.NewLogs(ctx, set, cfg, next, func(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
				rl := ld.ResourceLogs()
				for i := 0; i < rl.Len(); i++ {
					Stamp(ctx, rl.At(i).Resource())
				}
				return ld, nil
			}, caps)
		}, component.StabilityLevelDevelopment),
		processor.WithMetrics(func(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
			return processorhelper.NewMetrics(ctx, set, cfg, next, func(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
				rm := md.ResourceMetrics()
				for i := 0; i < rm.Len(); i++ {
					Stamp(ctx, rm.At(i).Resource())
				}
				return md, nil
			}, caps)
		}, component.StabilityLevelDevelopment),
	)
}

// Stamp sets res's tenant attribute to ctx's tenant, or removes it when
// ctx names none: a client never chooses its tenant by the attribute.
func Stamp(ctx context.Context, res pcommon.Resource) {
	if t, ok := tenancy.From(ctx); ok {
		res.Attributes().PutStr(tenancy.ResourceAttribute, t)
		return
	}
	res.Attributes().Remove(tenancy.ResourceAttribute)
}
