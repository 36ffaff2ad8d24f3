// Package selftrace sends overlook's own spans into its own store
// (extensions::overlook::self_telemetry, docs/self-monitoring.md).
//
// The spans go from the OpenTelemetry SDK straight to a store inserter, in
// process: no OTLP request, no receiver, no exporter pipeline. Nothing on
// that path is traced, so storing overlook's spans never creates more
// spans (no feedback loop), and it does not depend on the receivers being
// up (no deadlock at start or stop: the provider is shut down, flushing
// its last spans, before the store closes).
package selftrace

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Insert stores converted spans; it MUST NOT create spans itself.
type Insert func(ctx context.Context, td ptrace.Traces) error

// Options configure the provider.
type Options struct {
	// ServiceName is the spans' service.name (ServiceName column).
	ServiceName string
	// Version is service.version.
	Version string
	// Insert stores each batch. Required.
	Insert Insert
	// BatchTimeout is how long spans wait to be batched; zero: 2s.
	BatchTimeout time.Duration
	// MaxQueue bounds spans waiting to be stored (the rest are dropped,
	// counted by Dropped); zero: 8192.
	MaxQueue int
	// OnError is told about a batch that could not be stored.
	OnError func(error)
}

// NewProvider returns a TracerProvider whose spans are stored through
// opts.Insert. Shut it down (flushing) before the store closes.
func NewProvider(opts Options) *sdktrace.TracerProvider {
	if opts.BatchTimeout <= 0 {
		opts.BatchTimeout = 2 * time.Second
	}
	if opts.MaxQueue <= 0 {
		opts.MaxQueue = 8192
	}
	exp := &exporter{opts: opts}
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(opts.BatchTimeout), sdktrace.WithMaxQueueSize(opts.MaxQueue)),
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
	)
}

// exporter is the SDK span exporter writing to the store.
type exporter struct {
	opts Options
}

var _ sdktrace.SpanExporter = (*exporter)(nil)

func (e *exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	if err := e.opts.Insert(ctx, Convert(spans, e.opts.ServiceName, e.opts.Version)); err != nil {
		err = fmt.Errorf("store %d of overlook's own spans: %w", len(spans), err)
		if e.opts.OnError != nil {
			e.opts.OnError(err)
		}
		return err
	}
	return nil
}

func (e *exporter) Shutdown(context.Context) error { return nil }

// Convert writes SDK spans as OTLP pdata under one resource.
func Convert(spans []sdktrace.ReadOnlySpan, serviceName, version string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", serviceName)
	if version != "" {
		rs.Resource().Attributes().PutStr("service.version", version)
	}
	scopes := map[string]ptrace.ScopeSpans{}
	for _, s := range spans {
		sc := s.InstrumentationScope()
		ss, ok := scopes[sc.Name+"\x00"+sc.Version]
		if !ok {
			ss = rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(sc.Name)
			ss.Scope().SetVersion(sc.Version)
			scopes[sc.Name+"\x00"+sc.Version] = ss
		}
		convertSpan(s, ss.Spans().AppendEmpty())
	}
	return td
}

func convertSpan(s sdktrace.ReadOnlySpan, out ptrace.Span) {
	sc := s.SpanContext()
	out.SetTraceID(pcommon.TraceID(sc.TraceID()))
	out.SetSpanID(pcommon.SpanID(sc.SpanID()))
	out.TraceState().FromRaw(sc.TraceState().String())
	if p := s.Parent(); p.IsValid() {
		out.SetParentSpanID(pcommon.SpanID(p.SpanID()))
	}
	out.SetName(s.Name())
	out.SetKind(kind(s.SpanKind()))
	out.SetStartTimestamp(pcommon.NewTimestampFromTime(s.StartTime()))
	out.SetEndTimestamp(pcommon.NewTimestampFromTime(s.EndTime()))
	putAttrs(out.Attributes(), s.Attributes())
	switch s.Status().Code {
	case codes.Error:
		out.Status().SetCode(ptrace.StatusCodeError)
		out.Status().SetMessage(s.Status().Description)
	case codes.Ok:
		out.Status().SetCode(ptrace.StatusCodeOk)
	}
	for _, ev := range s.Events() {
		e := out.Events().AppendEmpty()
		e.SetName(ev.Name)
		e.SetTimestamp(pcommon.NewTimestampFromTime(ev.Time))
		putAttrs(e.Attributes(), ev.Attributes)
	}
	for _, l := range s.Links() {
		pl := out.Links().AppendEmpty()
		pl.SetTraceID(pcommon.TraceID(l.SpanContext.TraceID()))
		pl.SetSpanID(pcommon.SpanID(l.SpanContext.SpanID()))
		putAttrs(pl.Attributes(), l.Attributes)
	}
}

func kind(k trace.SpanKind) ptrace.SpanKind {
	switch k {
	case trace.SpanKindServer:
		return ptrace.SpanKindServer
	case trace.SpanKindClient:
		return ptrace.SpanKindClient
	case trace.SpanKindProducer:
		return ptrace.SpanKindProducer
	case trace.SpanKindConsumer:
		return ptrace.SpanKindConsumer
	case trace.SpanKindInternal:
		return ptrace.SpanKindInternal
	}
	return ptrace.SpanKindUnspecified
}

func putAttrs(m pcommon.Map, kvs []attribute.KeyValue) {
	for _, kv := range kvs {
		k := string(kv.Key)
		switch kv.Value.Type() {
		case attribute.BOOL:
			m.PutBool(k, kv.Value.AsBool())
		case attribute.INT64:
			m.PutInt(k, kv.Value.AsInt64())
		case attribute.FLOAT64:
			m.PutDouble(k, kv.Value.AsFloat64())
		case attribute.STRING:
			m.PutStr(k, kv.Value.AsString())
		default: // slices: their string form
			m.PutStr(k, kv.Value.Emit())
		}
	}
}
