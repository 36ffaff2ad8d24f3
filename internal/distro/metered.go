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
)

// metered wraps a receiver factory so that every request the receiver hands
// to its pipeline is counted as accepted or refused (the pipeline returned an
// error: memory_limiter refusal, store saturated, ...). The receiver itself
// is unchanged: same type, config and behaviour.
func metered(f receiver.Factory, m *telemetry.Metrics) receiver.Factory {
	return receiver.NewFactory(f.Type(), f.CreateDefaultConfig,
		receiver.WithTraces(func(ctx context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
			c, err := consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
				n := td.SpanCount()
				err := next.ConsumeTraces(ctx, td)
				count(m, "traces", n, err)
				return err
			}, consumer.WithCapabilities(next.Capabilities()))
			if err != nil {
				return nil, err
			}
			return f.CreateTraces(ctx, set, cfg, c)
		}, f.TracesStability()),
		receiver.WithLogs(func(ctx context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
			c, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
				n := ld.LogRecordCount()
				err := next.ConsumeLogs(ctx, ld)
				count(m, "logs", n, err)
				return err
			}, consumer.WithCapabilities(next.Capabilities()))
			if err != nil {
				return nil, err
			}
			return f.CreateLogs(ctx, set, cfg, c)
		}, f.LogsStability()),
		receiver.WithMetrics(func(ctx context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
			c, err := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
				n := md.DataPointCount()
				err := next.ConsumeMetrics(ctx, md)
				count(m, "metrics", n, err)
				return err
			}, consumer.WithCapabilities(next.Capabilities()))
			if err != nil {
				return nil, err
			}
			return f.CreateMetrics(ctx, set, cfg, c)
		}, f.MetricsStability()),
	)
}

func count(m *telemetry.Metrics, signal string, items int, err error) {
	outcome := "accepted"
	if err != nil {
		outcome = "refused"
	}
	m.ReceivedItems.WithLabelValues(signal, outcome).Add(float64(items))
	m.ReceivedRequests.WithLabelValues(signal, outcome).Inc()
}
