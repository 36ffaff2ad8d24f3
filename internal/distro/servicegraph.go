package distro

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/xconnector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// The service-graph connector counts the spans its pairing store could not
// take (full: store::max_items) and the edges that expired unpaired
// (store::ttl) only in its own telemetry. Tempo writes both as metrics;
// withPairingCounters does too, so that they are stored and queryable:
//
//	traces_service_graph_dropped_spans_total  ← otelcol_connector_servicegraph_dropped_spans
//	traces_service_graph_unpaired_spans_total ← otelcol_connector_servicegraph_expired_edges
//
// (without Tempo's client/server labels: the connector does not keep them).
var pairingCounters = map[string]string{
	"otelcol_connector_servicegraph_dropped_spans": "traces_service_graph_dropped_spans_total",
	"otelcol_connector_servicegraph_expired_edges": "traces_service_graph_unpaired_spans_total",
}

// withPairingCounters wraps the service-graph connector factory: same type,
// alias, configuration and behaviour, with the connector's counters read
// from a private meter provider and appended to every metrics flush.
func withPairingCounters(f connector.Factory, alias component.Type) connector.Factory {
	return xconnector.NewFactory(f.Type(), f.CreateDefaultConfig,
		xconnector.WithTracesToMetrics(func(ctx context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Traces, error) {
			reader := sdkmetric.NewManualReader()
			set.TelemetrySettings.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			pc := &pairingConsumer{next: next, reader: reader, start: pcommon.NewTimestampFromTime(time.Now())}
			c, err := consumer.NewMetrics(pc.consume, consumer.WithCapabilities(consumer.Capabilities{MutatesData: true}))
			if err != nil {
				return nil, err
			}
			return f.CreateTracesToMetrics(ctx, set, cfg, c)
		}, f.TracesToMetricsStability()),
		xconnector.WithDeprecatedTypeAlias(alias),
	)
}

type pairingConsumer struct {
	next   consumer.Metrics
	reader *sdkmetric.ManualReader
	start  pcommon.Timestamp
}

func (p *pairingConsumer) consume(ctx context.Context, md pmetric.Metrics) error {
	if err := p.appendCounters(ctx, md); err != nil {
		return err
	}
	return p.next.ConsumeMetrics(ctx, md)
}

// appendCounters adds the pairing counters (0 until something was dropped
// or expired) to md as cumulative monotonic sums.
func (p *pairingConsumer) appendCounters(ctx context.Context, md pmetric.Metrics) error {
	var rm metricdata.ResourceMetrics
	if err := p.reader.Collect(ctx, &rm); err != nil {
		return fmt.Errorf("service graph: read the pairing store's counters: %w", err)
	}
	values := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			name, ok := pairingCounters[m.Name]
			if !ok {
				continue
			}
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok {
				for _, dp := range sum.DataPoints {
					values[name] += dp.Value
				}
			}
		}
	}
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("traces_service_graph")
	now := pcommon.NewTimestampFromTime(time.Now())
	for _, name := range []string{"traces_service_graph_dropped_spans_total", "traces_service_graph_unpaired_spans_total"} {
		m := sm.Metrics().AppendEmpty()
		m.SetName(name)
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
		dp := sum.DataPoints().AppendEmpty()
		dp.SetStartTimestamp(p.start)
		dp.SetTimestamp(now)
		dp.SetIntValue(values[name])
	}
	return nil
}
