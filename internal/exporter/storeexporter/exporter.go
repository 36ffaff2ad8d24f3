package storeexporter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

type storeExporter struct {
	cfg      *Config
	set      exporter.Settings
	metrics  *telemetry.Metrics
	provider overlookext.StoreProvider
}

func newExporter(cfg *Config, set exporter.Settings, metrics *telemetry.Metrics) *storeExporter {
	return &storeExporter{cfg: cfg, set: set, metrics: metrics}
}

// start finds the extension that owns the store. Extensions start before
// pipelines, so the store is open by now.
func (e *storeExporter) start(_ context.Context, host component.Host) error {
	ext, ok := host.GetExtensions()[e.cfg.Extension]
	if !ok {
		return fmt.Errorf("exporter %s needs the %q extension: add it under `extensions:` and to `service::extensions`",
			e.set.ID, e.cfg.Extension)
	}
	p, ok := ext.(overlookext.StoreProvider)
	if !ok {
		return fmt.Errorf("exporter %s: extension %q does not provide a store; point `extension:` at an overlook extension",
			e.set.ID, e.cfg.Extension)
	}
	e.provider = p
	return nil
}

func (e *storeExporter) store() (store.Store, error) {
	if st := e.provider.Store(); st != nil {
		return st, nil
	}
	return nil, store.ErrClosed
}

func (e *storeExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	st, err := e.store()
	if err != nil {
		return e.failed("traces", err)
	}
	start := time.Now()
	if err := st.InsertTraces(ctx, td); err != nil {
		return e.failed("traces", err)
	}
	var sizer ptrace.ProtoMarshaler
	e.done("traces", start, td.SpanCount(), sizer.TracesSize(td))
	return nil
}

func (e *storeExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	st, err := e.store()
	if err != nil {
		return e.failed("logs", err)
	}
	start := time.Now()
	if err := st.InsertLogs(ctx, ld); err != nil {
		return e.failed("logs", err)
	}
	var sizer plog.ProtoMarshaler
	e.done("logs", start, ld.LogRecordCount(), sizer.LogsSize(ld))
	return nil
}

func (e *storeExporter) pushMetrics(ctx context.Context, md pmetric.Metrics) error {
	st, err := e.store()
	if err != nil {
		return e.failed("metrics", err)
	}
	start := time.Now()
	if err := st.InsertMetrics(ctx, md); err != nil {
		return e.failed("metrics", err)
	}
	var sizer pmetric.ProtoMarshaler
	e.done("metrics", start, md.DataPointCount(), sizer.MetricsSize(md))
	return nil
}

func (e *storeExporter) done(signal string, start time.Time, rows, bytes int) {
	e.metrics.ExportDuration.WithLabelValues(signal).Observe(time.Since(start).Seconds())
	e.metrics.IngestedRows.WithLabelValues(signal).Add(float64(rows))
	e.metrics.IngestedBytes.WithLabelValues(signal).Add(float64(bytes))
}

// failed counts the failure and returns an error the OTLP receiver maps to a
// retryable status (gRPC Unavailable, HTTP 503): nothing was stored, and the
// client still holds the data. Only data that can never be stored would be
// permanent, and the store accepts every valid OTLP payload.
func (e *storeExporter) failed(signal string, err error) error {
	reason := "error"
	switch {
	case errors.Is(err, store.ErrOverloaded):
		reason = "overloaded"
	case errors.Is(err, store.ErrUnavailable):
		reason = "unavailable"
	}
	e.metrics.StoreErrors.WithLabelValues(signal, reason).Inc()
	if consumererror.IsPermanent(err) {
		return err
	}
	return refusal(signal, err)
}
