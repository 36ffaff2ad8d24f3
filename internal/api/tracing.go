package api

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// untraced endpoints: scrapes and probes would fill overlook's own traces
// with one span every few seconds and nothing to learn.
var untraced = map[string]bool{"metrics": true, "ready": true, "healthz": true}

// traceRequest starts the server span of one API request, named by its
// route pattern ("GET /api/dashboards/{id}", OTel's "{method} {route}").
// end records the status code; 5xx marks the span as an error. Without a
// tracer (Options.Tracer nil) it does nothing.
func (s *Server) traceRequest(r *http.Request, pattern, endpoint string) (*http.Request, func(code int)) {
	if s.opts.Tracer == nil || untraced[endpoint] {
		return r, func(int) {}
	}
	route := pattern
	if _, path, ok := strings.Cut(pattern, " "); ok {
		route = path
	}
	name := r.Method + " " + route
	ctx, span := s.opts.Tracer.Start(r.Context(), name, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			attribute.String("http.request.method", r.Method),
			attribute.String("http.route", route),
			attribute.String("url.path", r.URL.Path),
			attribute.String("overlook.endpoint", endpoint),
		))
	return r.WithContext(ctx), func(code int) {
		span.SetAttributes(attribute.Int("http.response.status_code", code))
		if code >= 500 {
			span.SetStatus(codes.Error, http.StatusText(code))
		}
		span.End()
	}
}
