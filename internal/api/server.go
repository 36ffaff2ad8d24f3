// Package api serves overlook's native JSON API (/api/...), health
// endpoints and the process's own metrics over HTTP.
package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// Options configures the API handler. Zero values are documented per field.
type Options struct {
	// Store is read by every query endpoint. Required.
	Store store.Store
	// Metrics receives request counts and latencies and serves /metrics.
	// Required.
	Metrics *telemetry.Metrics
	// Logger receives request errors. Required.
	Logger *slog.Logger
	// QueryTimeout bounds each query; zero means 30s.
	QueryTimeout time.Duration
	// MaxBodyBytes bounds JSON request bodies; zero means 1 MiB.
	MaxBodyBytes int64
	// Limits bound the complexity of search and chart filters; zero
	// fields use query's defaults.
	Limits query.Limits
	// MaxResponseBytes caps every JSON answer; a larger one is refused
	// with 422. Zero means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Meta stores dashboards; nil leaves /api/dashboards unrouted.
	Meta *meta.Store
	// UI serves the web app at / (nil: not served).
	UI http.Handler
	// Analysis bounds the rows the analysis endpoints read; zero fields
	// use the defaults.
	Analysis AnalysisLimits
	// Tracer, when set, traces every request (but /metrics, /ready and
	// /healthz) with a server span named "{method} {route}".
	Tracer trace.Tracer
	// Alerts serves /api/alerts (zero: not routed).
	Alerts AlertOptions
}

// Server is the API's http.Handler. It is safe for concurrent use.
type Server struct {
	opts  Options
	mux   *http.ServeMux
	ready atomic.Bool
}

// New returns the API handler. It reports not-ready until SetReady(true).
func New(opts Options) *Server {
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 30 * time.Second
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = DefaultMaxResponseBytes
	}
	opts.Limits = opts.Limits.WithDefaults()
	opts.Analysis = opts.Analysis.WithDefaults()
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	s := &Server{opts: opts, mux: http.NewServeMux()}
	s.route("POST /api/search", "search", s.handleSearch)
	s.route("GET /api/traces/{traceId}", "trace", s.handleTrace)
	s.route("GET /api/traces/{traceId}/logs", "trace_logs", s.handleTraceLogs)
	s.route("GET /api/fields", "fields", s.handleFields)
	s.route("POST /api/chart", "chart", s.handleChart)
	s.route("GET /api/values", "values", s.handleValues)
	s.route("GET /ready", "ready", s.handleReady)
	s.route("GET /healthz", "healthz", s.handleHealthz)
	s.mux.Handle("GET /metrics", opts.Metrics.Handler())
	s.routeDashboards()
	s.routeMetrics()
	s.routeAnalysis()
	s.routeTempo()
	s.routeSessions()
	s.routeAlerts()
	if opts.UI != nil {
		s.mux.Handle("/", opts.UI)
	}
	s.route("/api/", "unknown", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path+
			"; see the README for the list of endpoints")
	})
	return s
}

// SetReady marks the service ready (pipelines running) or not.
func (s *Server) SetReady(ready bool) { s.ready.Store(ready) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// route registers h under pattern, counting requests and latency under the
// given endpoint label.
func (s *Server) route(pattern, endpoint string, h http.HandlerFunc) {
	m := s.opts.Metrics
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, endSpan := s.traceRequest(r, pattern, endpoint)
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK, maxBytes: s.opts.MaxResponseBytes}
		if bad := invalidUTF8(r); bad != "" {
			writeError(rec, http.StatusBadRequest, bad+" is not valid UTF-8: percent-encode the UTF-8 bytes of the text")
		} else {
			h(rec, r)
		}
		endSpan(rec.code)
		m.HTTPRequests.WithLabelValues(endpoint, strconv.Itoa(rec.code)).Inc()
		m.QueryDuration.WithLabelValues(endpoint).Observe(time.Since(start).Seconds())
		m.Tempo.RequestDuration.WithLabelValues(r.Method, endpoint, strconv.Itoa(rec.code), "false").Observe(time.Since(start).Seconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code     int
	maxBytes int64
}

// Unwrap lets http.ResponseController reach the connection (Flush).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		writeError(w, http.StatusServiceUnavailable, "not ready: pipelines are starting or stopping")
		return
	}
	if err := s.storeHealth(); err != nil {
		writeError(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// storeHealth is why the store cannot take writes now (nil: it can).
func (s *Server) storeHealth() error {
	if h, ok := s.opts.Store.(store.HealthReporter); ok {
		return h.Health()
	}
	return nil
}

func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
