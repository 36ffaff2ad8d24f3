package distro

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"

	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// metered wraps a receiver factory so that every request the receiver hands
// to its pipeline is first admitted by the tenant's ingestion rate
// (admission.go: a refused request reaches no pipeline) and then counted
// as accepted or refused (the pipeline returned an error: rate limit,
// memory_limiter refusal, store saturated, ...). The receiver itself is
// unchanged: same type, config and behaviour.
func metered(f receiver.Factory, m *telemetry.Metrics) receiver.Factory {
	return receiver.NewFactory(f.Type(), f.CreateDefaultConfig,
		receiver.WithTraces(func(ctx context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
			adm := &admission{}
			c, err := consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
				n := td.SpanCount()
				err := adm.admit(ctx, overrides.Spans, n, func() error { return next.ConsumeTraces(ctx, td) })
				count(m, "traces", n, err)
				return err
			}, consumer.WithCapabilities(next.Capabilities()))
			if err != nil {
				return nil, err
			}
			r, err := f.CreateTraces(ctx, set, cfg, c)
			if err != nil {
				return nil, err
			}
			return admitted{r, adm}, nil
		}, f.TracesStability()),
		receiver.WithLogs(func(ctx context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
			adm := &admission{}
			c, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
				n := ld.LogRecordCount()
				err := adm.admit(ctx, overrides.Logs, n, func() error { return next.ConsumeLogs(ctx, ld) })
				count(m, "logs", n, err)
				return err
			}, consumer.WithCapabilities(next.Capabilities()))
			if err != nil {
				return nil, err
			}
			r, err := f.CreateLogs(ctx, set, cfg, c)
			if err != nil {
				return nil, err
			}
			return admitted{r, adm}, nil
		}, f.LogsStability()),
		receiver.WithMetrics(func(ctx context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
			adm := &admission{}
			c, err := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
				n := md.DataPointCount()
				err := adm.admit(ctx, overrides.Samples, n, func() error { return next.ConsumeMetrics(ctx, md) })
				count(m, "metrics", n, err)
				return err
			}, consumer.WithCapabilities(next.Capabilities()))
			if err != nil {
				return nil, err
			}
			r, err := f.CreateMetrics(ctx, set, cfg, c)
			if err != nil {
				return nil, err
			}
			return admitted{r, adm}, nil
		}, f.MetricsStability()),
	)
}

// admitted is a receiver whose Start also gives its admission the
// overlook extension's limiter (extensions start before receivers).
type admitted struct {
	component.Component
	adm *admission
}

func (a admitted) Start(ctx context.Context, host component.Host) error {
	a.adm.start(host)
	return a.Component.Start(ctx, host)
}

func count(m *telemetry.Metrics, signal string, items int, err error) {
	outcome := "accepted"
	if err != nil {
		outcome = "refused"
	}
	m.ReceivedItems.WithLabelValues(signal, outcome).Add(float64(items))
	m.ReceivedRequests.WithLabelValues(signal, outcome).Inc()
}
