package overlookext

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry/selftrace"
)

// TracerScope is the instrumentation scope of overlook's own spans.
const TracerScope = "github.com/overlook-dev/overlook"

// TracerProvider is implemented by the extension: components (the store
// exporters, the rules engine) take their tracer from it, so that their
// spans go where the API's go (self-telemetry or service::telemetry).
type TracerProvider interface {
	// Tracer is never nil; a no-op tracer before Start.
	Tracer() trace.Tracer
}

var _ TracerProvider = (*Extension)(nil)

// Tracer implements TracerProvider.
func (e *Extension) Tracer() trace.Tracer {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.tracer == nil {
		return noop.NewTracerProvider().Tracer(TracerScope)
	}
	return e.tracer
}

// startTracing picks the tracer of overlook's own spans: with
// self_telemetry enabled, a provider that stores them in st in process
// (never through a receiver, so storing them creates no spans); else the
// collector's, which service::telemetry::traces configures (a no-op
// unless it names processors/exporters).
func (e *Extension) startTracing(st store.Store) (trace.Tracer, *sdktrace.TracerProvider) {
	if !e.cfg.SelfTelemetry.Enabled {
		return e.set.TelemetrySettings.TracerProvider.Tracer(TracerScope), nil
	}
	tp := selftrace.NewProvider(selftrace.Options{
		ServiceName: e.cfg.SelfTelemetry.Service(),
		Version:     e.set.BuildInfo.Version,
		Insert:      func(ctx context.Context, td ptrace.Traces) error { return st.InsertTraces(ctx, td) },
		OnError:     func(err error) { e.logger.Warn("self-telemetry: spans not stored", "error", err) },
	})
	e.logger.Info("self-telemetry on: overlook's own spans are stored under its service name",
		"service_name", e.cfg.SelfTelemetry.Service())
	return tp.Tracer(TracerScope), tp
}

// tracePrometheus traces the Prometheus API's requests (PromQL queries,
// label and series lookups) with a server span named by the route.
func tracePrometheus(h http.Handler, tracer trace.Tracer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := promRoute(r.URL.Path)
		ctx, span := tracer.Start(r.Context(), r.Method+" "+route, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", route)))
		defer span.End()
		if q := r.URL.Query().Get("query"); q != "" { // GET only: a POST body is the API's to read, within its limits
			span.SetAttributes(attribute.String("promql.query", truncate(q, 1024)))
		}
		rec := &codeRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r.WithContext(ctx))
		span.SetAttributes(attribute.Int("http.response.status_code", rec.code))
		if rec.code >= 500 {
			span.SetStatus(codes.Error, http.StatusText(rec.code))
		}
	})
}

// promRoute names a Prometheus API path by its route (the label name of
// /label/<name>/values is a parameter).
func promRoute(path string) string {
	if rest, ok := strings.CutPrefix(path, PrometheusPrefix+"/api/v1/label/"); ok && strings.HasSuffix(rest, "/values") {
		return PrometheusPrefix + "/api/v1/label/{name}/values"
	}
	return path
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

type codeRecorder struct {
	http.ResponseWriter
	code int
}

func (r *codeRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *codeRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
