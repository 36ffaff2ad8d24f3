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
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/ingest/limits"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

type storeExporter struct {
	cfg      *Config
	set      exporter.Settings
	metrics  *telemetry.Metrics
	provider overlookext.StoreProvider
	limits   limits.Limits // extensions::overlook::ingest, applied before storing
	tracer   trace.Tracer  // ingest commit spans (the extension's, see commitSpan)
	tenancy  bool          // multitenancy on: resources are routed by tenant (tenant.go)

	// limiter applies the per-tenant overrides
	// (extensions::overlook::multitenancy::overrides; limits.go); nil: none.
	limiter *overrides.Limiter
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
	if ti, ok := ext.(tenancyInfo); ok {
		e.tenancy = ti.MultitenancyEnabled()
	}
	if l, ok := ext.(overlookext.IngestLimiter); ok {
		e.limits = l.IngestLimits()
	}
	if l, ok := ext.(overlookext.TenantLimiter); ok {
		e.limiter = l.Limits()
	}
	e.tracer = e.set.TracerProvider.Tracer(overlookext.TracerScope)
	if tp, ok := ext.(overlookext.TracerProvider); ok {
		e.tracer = tp.Tracer()
	}
	return nil
}

func (e *storeExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	groups := e.tracesByTenant(ctx, td)
	parts := make([]tracesPart, 0, len(groups))
	for _, g := range groups {
		p, err := e.prepareTraces(ctx, g.tenant, g.data)
		if err != nil {
			return err
		}
		parts = append(parts, p)
	}
	for _, p := range parts {
		if err := e.writeTraces(tenancy.With(ctx, p.tenant), p); err != nil {
			return err
		}
	}
	return nil
}

// tracesPart is one tenant's spans of a batch, ready to write.
type tracesPart struct {
	tenant string
	st     store.Store
	td     ptrace.Traces
	stats  limits.Stats
}

// prepareTraces opens tenant's store and applies its limits; it writes
// nothing (tenant.go: every part is prepared before any is written).
func (e *storeExporter) prepareTraces(ctx context.Context, tenant string, td ptrace.Traces) (tracesPart, error) {
	st, err := e.storeFor(ctx, tenant)
	if err != nil {
		return tracesPart{}, e.failed("traces", err)
	}
	// The traces exporter does not mutate its input (factory.go): the
	// batch is shared with the span-metrics and service-graph connectors,
	// so it is copied only when a limit must change it.
	lim := e.limitsFor(tenant)
	if lim.TracesWithin(td) {
		if err := limits.TraceTimes(td); err != nil {
			return tracesPart{}, invalid(err)
		}
		return tracesPart{tenant: tenant, st: st, td: td}, nil
	}
	own := ptrace.NewTraces()
	td.CopyTo(own)
	stats, err := lim.Traces(own)
	if err != nil {
		return tracesPart{}, invalid(err)
	}
	return tracesPart{tenant: tenant, st: st, td: own, stats: stats}, nil
}

func (e *storeExporter) writeTraces(ctx context.Context, p tracesPart) error {
	e.truncated("traces", p.stats)
	e.limiter.CountDroppedAttributes(p.tenant, overrides.Spans, p.stats.Attributes)
	start := time.Now()
	ctx, end := e.commitSpan(ctx, "traces", p.td.SpanCount())
	err := p.st.InsertTraces(ctx, p.td)
	end(err)
	if err != nil {
		return e.failed("traces", err)
	}
	var sizer ptrace.ProtoMarshaler
	e.done("traces", start, p.td.SpanCount(), sizer.TracesSize(p.td))
	e.metrics.Tempo.ObserveTraces(traceIDs(p.td))
	return nil
}

// traceIDs lists the batch's trace IDs, consecutive repeats left out (an
// SDK batch holds a trace's spans together).
func traceIDs(td ptrace.Traces) [][16]byte {
	var ids [][16]byte
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				id := [16]byte(spans.At(k).TraceID())
				if n := len(ids); n == 0 || ids[n-1] != id {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

func (e *storeExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	groups := e.logsByTenant(ctx, ld)
	parts := make([]logsPart, 0, len(groups))
	for _, g := range groups {
		p, err := e.prepareLogs(ctx, g.tenant, g.data)
		if err != nil {
			return err
		}
		parts = append(parts, p)
	}
	for _, p := range parts {
		if err := e.writeLogs(tenancy.With(ctx, p.tenant), p); err != nil {
			return err
		}
	}
	return nil
}

// logsPart is one tenant's log records (or session recordings) of a
// batch, ready to write.
type logsPart struct {
	tenant string
	st     store.Store
	ld     plog.Logs
	stats  limits.Stats
}

// prepareLogs opens tenant's store and applies its limits; it writes
// nothing (tenant.go: every part is prepared before any is written).
func (e *storeExporter) prepareLogs(ctx context.Context, tenant string, ld plog.Logs) (logsPart, error) {
	st, err := e.storeFor(ctx, tenant)
	if err != nil {
		return logsPart{}, e.failed(e.logsSignal(), err)
	}
	lim := e.limitsFor(tenant)
	if e.sessions() {
		if _, ok := st.(store.SessionInserter); !ok {
			return logsPart{}, consumererror.NewPermanent(status.Error(codes.Unimplemented,
				"this store cannot keep session recordings: remove logs_table_name: hyperdx_sessions"))
		}
		if lim.MaxLogBodyLength > 0 && lim.MaxLogBodyLength < sessionBodyLength {
			lim.MaxLogBodyLength = sessionBodyLength
		}
	}
	stats, err := lim.Logs(ld)
	if err != nil {
		return logsPart{}, invalid(err)
	}
	return logsPart{tenant: tenant, st: st, ld: ld, stats: stats}, nil
}

// sessions reports whether the exporter writes browser session
// recordings (hyperdx_sessions) instead of log records.
func (e *storeExporter) sessions() bool { return e.cfg.LogsTableName == schema.SessionsTable }

// logsSignal names what the exporter writes in its metrics.
func (e *storeExporter) logsSignal() string {
	if e.sessions() {
		return "sessions"
	}
	return "logs"
}

func (e *storeExporter) writeLogs(ctx context.Context, p logsPart) error {
	signal := e.logsSignal()
	e.truncated(signal, p.stats)
	e.limiter.CountDroppedAttributes(p.tenant, overrides.Logs, p.stats.Attributes)
	start := time.Now()
	var err error
	if si, ok := p.st.(store.SessionInserter); ok && e.sessions() {
		err = si.InsertSessions(ctx, p.ld)
	} else {
		var end func(error)
		ctx, end = e.commitSpan(ctx, "logs", p.ld.LogRecordCount())
		err = p.st.InsertLogs(ctx, p.ld)
		end(err)
	}
	if err != nil {
		return e.failed(signal, err)
	}
	var sizer plog.ProtoMarshaler
	e.done(signal, start, p.ld.LogRecordCount(), sizer.LogsSize(p.ld))
	return nil
}

// sessionBodyLength is the least log body length kept for session
// recordings: the browser SDK cuts an rrweb event into chunks of up to
// 950 KiB, and a chunk cut short can no longer be replayed.
const sessionBodyLength = 1 << 20

func (e *storeExporter) pushMetrics(ctx context.Context, md pmetric.Metrics) error {
	groups := e.metricsByTenant(ctx, md)
	parts := make([]metricsPart, 0, len(groups))
	for _, g := range groups {
		p, err := e.prepareMetrics(ctx, g.tenant, g.data)
		if err != nil {
			return err
		}
		parts = append(parts, p)
	}
	// A tenant's new series past max_active_series are left out and the
	// rest stored: the other tenants' parts are written all the same,
	// then the refusals answered together (400: a retry would not help).
	var refused []error
	for _, p := range parts {
		err := e.writeMetrics(tenancy.With(ctx, p.tenant), p)
		var sl *overrides.SeriesLimitError
		switch {
		case errors.As(err, &sl):
			refused = append(refused, err)
		case err != nil:
			return err
		}
	}
	if len(refused) > 0 {
		return invalid(errors.Join(refused...))
	}
	return nil
}

// metricsPart is one tenant's metric points of a batch, ready to write.
type metricsPart struct {
	tenant  string
	st      store.Store
	md      pmetric.Metrics
	trimmed int // attributes dropped by the tenant's max_attributes
}

// prepareMetrics opens tenant's store and applies its limits; it writes
// nothing (tenant.go: every part is prepared before any is written).
func (e *storeExporter) prepareMetrics(ctx context.Context, tenant string, md pmetric.Metrics) (metricsPart, error) {
	st, err := e.storeFor(ctx, tenant)
	if err != nil {
		return metricsPart{}, e.failed("metrics", err)
	}
	if err := e.limits.Metrics(md); err != nil {
		return metricsPart{}, invalid(err)
	}
	// Trimmed before the series are counted: the attributes kept make
	// the series stored.
	n := overrides.TrimMetrics(md, e.limiter.Limits(tenant).MaxAttributes)
	return metricsPart{tenant: tenant, st: st, md: md, trimmed: n}, nil
}

// writeMetrics stores p's points; those of new series past the tenant's
// max_active_series are left out and returned as a
// *overrides.SeriesLimitError after the rest is stored.
func (e *storeExporter) writeMetrics(ctx context.Context, p metricsPart) error {
	if p.trimmed > 0 {
		e.metrics.Ingest.Truncated.WithLabelValues("metrics", "attributes").Add(float64(p.trimmed))
		e.limiter.CountDroppedAttributes(p.tenant, overrides.Samples, p.trimmed)
	}
	md := p.md
	refused := e.limiter.FilterSeries(p.tenant, md)
	if md.DataPointCount() > 0 {
		start := time.Now()
		ctx, end := e.commitSpan(ctx, "metrics", md.DataPointCount())
		err := p.st.InsertMetrics(ctx, md)
		end(err)
		if err != nil {
			return e.failed("metrics", err)
		}
		var sizer pmetric.ProtoMarshaler
		e.done("metrics", start, md.DataPointCount(), sizer.MetricsSize(md))
	}
	if refused != nil {
		// The rest is stored; the new series' points would be refused
		// again on a retry: the client's error (400 / InvalidArgument).
		refused.Stored = md.DataPointCount()
		return refused
	}
	return nil
}

// invalid is the answer to data the client must fix (a timestamp the store
// cannot hold): permanent, with InvalidArgument, which the OTLP receiver
// sends as gRPC InvalidArgument / HTTP 400.
func invalid(err error) error {
	return consumererror.NewPermanent(status.Error(codes.InvalidArgument, err.Error()))
}

func (e *storeExporter) truncated(signal string, st limits.Stats) {
	st.Each(func(what string, n int) {
		e.metrics.Ingest.Truncated.WithLabelValues(signal, what).Add(float64(n))
	})
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
	if errors.Is(err, store.ErrInvalidArgument) {
		// The store can never take it (a read_only ClickHouse store):
		// retrying would loop forever.
		return invalid(err)
	}
	return refusal(signal, err)
}

// commitSpan traces one store commit ("ingest commit <signal>"). Spans of
// self-telemetry are stored without an exporter, so this never traces the
// storing of overlook's own spans.
func (e *storeExporter) commitSpan(ctx context.Context, signal string, items int) (context.Context, func(error)) {
	if e.tracer == nil {
		return ctx, func(error) {}
	}
	ctx, span := e.tracer.Start(ctx, "ingest commit "+signal, trace.WithAttributes(
		attribute.String("overlook.signal", signal), attribute.Int("overlook.items", items)))
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(otelcodes.Error, err.Error())
		}
		span.End()
	}
}
