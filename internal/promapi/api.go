// Package promapi serves the Prometheus HTTP API (/api/v1/...) over the
// store's metrics tables, under a prefix (/prometheus), with Prometheus's
// response envelopes and error types, so that Grafana's Prometheus data
// source and PromQL tools work against http://host:8080/prometheus. It
// also receives Prometheus remote write (1.0 and 2.0).
package promapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	jsoniter "github.com/json-iterator/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/overlook-dev/overlook/internal/ingest/inflight"
	"github.com/overlook-dev/overlook/internal/prom/promcache"
	"github.com/overlook-dev/overlook/internal/prom/promsplit"
	"github.com/overlook-dev/overlook/internal/prom/promstorage"
	"github.com/overlook-dev/overlook/internal/prom/targetinfo"
	"github.com/overlook-dev/overlook/internal/prom/targets"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// Options configure the API. Zero values are documented per field.
type Options struct {
	// Prefix is where the API is mounted, e.g. "/prometheus". Required.
	Prefix string
	// Reader serves queries. Required.
	Reader store.MetricReader
	// Inserter stores remote-written samples; nil disables remote write.
	Inserter store.MetricInserter
	// Metadata keeps the metric family metadata of remote write and
	// answers /api/v1/metadata with it; nil: metadata is only remembered
	// in memory, for the samples that follow it.
	Metadata store.MetricMetadataStore
	// Resources lists the resources of stored metrics for the target_info
	// series (internal/prom/targetinfo); nil: no target_info.
	Resources store.MetricResourceReader
	// Targets lists scrape targets; nil: none.
	Targets targets.Source
	// Logger receives request errors. Required.
	Logger *slog.Logger
	// Metrics counts requests; nil: not counted.
	Metrics *telemetry.Metrics
	// QueryTimeout bounds each query; zero: 2m (Prometheus's default).
	QueryTimeout time.Duration
	// LookbackDelta is the engine's default lookback; zero: 5m.
	LookbackDelta time.Duration
	// MaxSamples bounds the samples one query holds in memory; zero: 50M
	// (Prometheus's default).
	MaxSamples int
	// QueryParts bounds the parts a long range query is cut into and
	// evaluated in parallel (internal/prom/promsplit); zero: GOMAXPROCS (at
	// most 8); 1: range queries are evaluated whole.
	QueryParts int
	// EngineOnly evaluates every range query with Prometheus's engine,
	// none with the vectorized evaluator (internal/prom/promvec;
	// query::promql_evaluator: engine).
	EngineOnly bool
	// MaxPoints bounds the stored points one selector reads; zero:
	// promstorage.DefaultMaxPoints.
	MaxPoints int
	// MaxWriteBytes bounds a remote-write body after decompression; zero: 64 MiB.
	MaxWriteBytes int64
	// MaxResponseBytes caps every answer's body; a larger one is refused
	// with 422 (errorType "execution"). Zero: 32 MiB.
	MaxResponseBytes int64
	// DefaultRange is the time range of series, labels and label values
	// requests without start: end minus DefaultRange. Zero: 1h.
	DefaultRange time.Duration
	// Inflight bounds, with the OTLP receivers, the remote-write requests
	// being decoded or stored at once (ingest::max_inflight_bytes,
	// internal/ingest/inflight); nil: no bound.
	Inflight *inflight.Limiter
	// Limiter applies the per-tenant overrides to remote write
	// (remotewrite_limits.go); nil: no limits.
	Limiter *overrides.Limiter
	// Cache keeps range query results per hour (cache.go); it may be
	// shared by the handlers of every tenant. Nil: no cache. Resources,
	// if set, must read the same store as Reader.
	Cache *promcache.Cache
	// Tenant is the tenant whose store Reader reads (part of the cache's
	// keys).
	Tenant string
}

// Handler is the API's http.Handler. It is safe for concurrent use.
type Handler struct {
	opts   Options
	mux    *http.ServeMux
	engine *promql.Engine
	// ranges evaluates range queries: engine's, long ones in parallel
	// parts, through the results cache (cache.go).
	ranges promcache.RangeEngine
	parser parser.Parser
	// queryable is the store's series (promstorage) with target_info
	// (targetinfo) merged in.
	queryable storage.Queryable
	// prom is the store's series alone, for exemplars.
	prom     *promstorage.Queryable
	appender *promstorage.Appendable
	families familyMetadata
	now      func() time.Time
}

// New returns the API handler; Close releases the query engine.
func New(opts Options) *Handler {
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 2 * time.Minute
	}
	if opts.LookbackDelta <= 0 {
		opts.LookbackDelta = 5 * time.Minute
	}
	if opts.MaxSamples <= 0 {
		opts.MaxSamples = 50_000_000
	}
	if opts.MaxWriteBytes <= 0 {
		opts.MaxWriteBytes = 64 << 20
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = 32 << 20
	}
	if opts.DefaultRange <= 0 {
		opts.DefaultRange = time.Hour
	}
	p := parser.NewParser(parser.Options{})
	prom := promstorage.NewQueryable(opts.Reader, promstorage.Options{MaxPoints: opts.MaxPoints})
	h := &Handler{
		opts: opts, mux: http.NewServeMux(), parser: p, now: time.Now, prom: prom,
		queryable: targetinfo.NewQueryable(prom, opts.Resources),
		engine: promql.NewEngine(promql.EngineOpts{
			Logger:                   opts.Logger.With("part", "promql"),
			MaxSamples:               opts.MaxSamples,
			Timeout:                  opts.QueryTimeout,
			LookbackDelta:            opts.LookbackDelta,
			NoStepSubqueryIntervalFn: func(int64) int64 { return time.Minute.Milliseconds() },
			EnableAtModifier:         true,
			EnableNegativeOffset:     true,
			Parser:                   p,
		}),
	}
	h.ranges = h.rangeEngine(promsplit.New(h.engine, promsplit.Options{MaxParts: opts.QueryParts, Parser: p,
		Ranges: h.vectorized()}))
	if opts.Inserter != nil {
		h.appender = promstorage.NewAppendable(opts.Inserter)
	}
	for _, r := range []struct {
		path, name string
		fn         apiFunc
	}{
		{"/api/v1/query", "query", h.query},
		{"/api/v1/query_range", "query_range", h.queryRange},
		{"/api/v1/series", "series", h.series},
		{"/api/v1/labels", "labels", h.labelNames},
		{"/api/v1/label/{name}/values", "label_values", h.labelValues},
		{"/api/v1/metadata", "metadata", h.metadata},
		{"/api/v1/query_exemplars", "query_exemplars", h.queryExemplars},
	} {
		h.route("GET "+opts.Prefix+r.path, "prom_"+r.name, r.fn)
		if r.name != "label_values" && r.name != "metadata" {
			h.route("POST "+opts.Prefix+r.path, "prom_"+r.name, r.fn)
		}
	}
	h.route("GET "+opts.Prefix+"/api/v1/targets", "prom_targets", h.targets)
	h.route("GET "+opts.Prefix+"/api/v1/status/buildinfo", "prom_buildinfo", h.buildInfo)
	h.handle("POST "+opts.Prefix+"/api/v1/write", "prom_write", h.remoteWrite)
	h.route(opts.Prefix+"/", "prom_unknown", func(r *http.Request) result {
		return result{err: &apiError{errorNotFound, fmt.Errorf("no such Prometheus API endpoint: %s %s", r.Method, r.URL.Path)}}
	})
	return h
}

// Close stops the query engine.
func (h *Handler) Close() error { return h.engine.Close() }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

type apiFunc func(r *http.Request) result

// result is what an API function returns: data or an error, plus
// annotations.
type result struct {
	data  any
	err   *apiError
	warns annotations.Annotations
	query string
	// finalize, if set, runs after the answer is written.
	finalize func()
}

type errorType struct {
	name string
	code int
}

// Prometheus's error types and HTTP status codes (web/api/v1).
var (
	errorTimeout     = errorType{"timeout", http.StatusServiceUnavailable}
	errorCanceled    = errorType{"canceled", 499}
	errorExec        = errorType{"execution", http.StatusUnprocessableEntity}
	errorBadData     = errorType{"bad_data", http.StatusBadRequest}
	errorInternal    = errorType{"internal", http.StatusInternalServerError}
	errorUnavailable = errorType{"unavailable", http.StatusServiceUnavailable}
	errorNotFound    = errorType{"not_found", http.StatusNotFound}
)

type apiError struct {
	typ errorType
	err error
}

func (e *apiError) Error() string { return e.typ.name + ": " + e.err.Error() }

func badData(err error, param string) result {
	return result{err: &apiError{errorBadData, fmt.Errorf("invalid parameter %q: %w", param, err)}}
}

// queryError classifies an engine or storage error as Prometheus does.
func queryError(err error) *apiError {
	var (
		eqc promql.ErrQueryCanceled
		eqt promql.ErrQueryTimeout
		es  promql.ErrStorage
		ets promql.ErrTooManySamples
	)
	switch {
	case errors.As(err, &ets):
		return &apiError{errorExec, fmt.Errorf("%w (extensions::overlook::query::promql_max_samples): "+
			"narrow the time range, raise the step or select fewer series", err)}
	case errors.As(err, &eqc), errors.Is(err, context.Canceled):
		return &apiError{errorCanceled, err}
	case errors.As(err, &eqt), errors.Is(err, context.DeadlineExceeded):
		return &apiError{errorTimeout, err}
	case errors.Is(err, store.ErrOverloaded):
		return &apiError{errorUnavailable, err}
	case errors.As(err, &es):
		return &apiError{errorInternal, err}
	}
	return &apiError{errorExec, err}
}

// route registers an API function answering with the JSON envelope.
func (h *Handler) route(pattern, endpoint string, fn apiFunc) {
	h.handle(pattern, endpoint, func(w http.ResponseWriter, r *http.Request) int {
		res := fn(r)
		if res.finalize != nil {
			defer res.finalize()
		}
		if res.err != nil {
			if res.err.typ.code >= 500 {
				h.opts.Logger.Warn("prometheus API error", "path", r.URL.Path, "err", res.err)
			}
			writeError(w, res.err)
			return res.err.typ.code
		}
		if err := h.writeSuccess(w, res); err != nil {
			writeError(w, err)
			return err.typ.code
		}
		return http.StatusOK
	})
}

// handle registers h, counting requests and latency per endpoint.
func (h *Handler) handle(pattern, endpoint string, fn func(http.ResponseWriter, *http.Request) int) {
	m := h.opts.Metrics
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		code := fn(w, r)
		if m != nil {
			m.HTTPRequests.WithLabelValues(endpoint, strconv.Itoa(code)).Inc()
			m.QueryDuration.WithLabelValues(endpoint).Observe(time.Since(start).Seconds())
			m.Tempo.RequestDuration.WithLabelValues(r.Method, endpoint, strconv.Itoa(code), "false").Observe(time.Since(start).Seconds())
		}
	})
}

var jsonAPI = jsoniter.ConfigCompatibleWithStandardLibrary

// writeSuccess writes {"status":"success","data":...,"warnings":[...],"infos":[...]}.
// The answer is encoded into a buffer capped at MaxResponseBytes, flushed
// series by series (writeData), so an oversized answer stops encoding at
// the cap and is refused with 422 before anything is sent.
func (h *Handler) writeSuccess(w http.ResponseWriter, res result) *apiError {
	buf := &cappedBuffer{max: h.opts.MaxResponseBytes}
	stream := jsonAPI.BorrowStream(buf)
	defer jsonAPI.ReturnStream(stream)
	stream.WriteObjectStart()
	stream.WriteObjectField("status")
	stream.WriteString("success")
	if res.data != nil {
		stream.WriteMore()
		stream.WriteObjectField("data")
		writeData(stream, res.data)
	}
	warns, infos := res.warns.AsStrings(res.query, 10, 10)
	for _, f := range []struct {
		name string
		vals []string
	}{{"warnings", warns}, {"infos", infos}} {
		if len(f.vals) == 0 {
			continue
		}
		stream.WriteMore()
		stream.WriteObjectField(f.name)
		stream.WriteVal(f.vals)
	}
	stream.WriteObjectEnd()
	if err := stream.Flush(); err != nil || buf.over {
		return &apiError{errorExec, fmt.Errorf("response is larger than the limit of %d bytes "+
			"(extensions::overlook::query::max_response_bytes): narrow the time range, raise the step, "+
			"select fewer series, or raise the limit", h.opts.MaxResponseBytes)}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = buf.buf.WriteTo(w) // the client went away; nothing else to do
	return nil
}

// cappedBuffer holds an answer up to max bytes; writes past it fail.
type cappedBuffer struct {
	buf  bytes.Buffer
	max  int64
	over bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if c.over || int64(c.buf.Len())+int64(len(p)) > c.max {
		c.over = true
		return 0, errors.New("response too large")
	}
	return c.buf.Write(p)
}

// flushSome moves the stream's buffer into its writer once it holds 64
// KiB, so the cap is checked while a large answer is encoded; it reports
// whether encoding should go on.
func flushSome(s *jsoniter.Stream) bool {
	if s.Buffered() >= 64<<10 {
		_ = s.Flush()
	}
	return s.Error == nil
}

// errorBody is Prometheus's error envelope, fields in its order.
type errorBody struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.typ.code)
	_ = jsonAPI.NewEncoder(w).Encode(errorBody{Status: "error", ErrorType: e.typ.name, Error: e.err.Error()})
}

// Prometheus's bounds of optional time parameters.
var (
	minTime = time.Unix(math.MinInt64/1000+62135596801, 0).UTC()
	maxTime = time.Unix(math.MaxInt64/1000-62135596801, 999999999).UTC()
)

// parseTime parses a unix time in (fractional) seconds or RFC 3339, as
// Prometheus does.
func parseTime(s string) (time.Time, error) {
	if t, err := strconv.ParseFloat(s, 64); err == nil {
		s, ns := math.Modf(t)
		ns = math.Round(ns*1000) / 1000
		return time.Unix(int64(s), int64(ns*float64(time.Second))).UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	switch s {
	case minTime.Format(time.RFC3339Nano):
		return minTime, nil
	case maxTime.Format(time.RFC3339Nano):
		return maxTime, nil
	}
	return time.Time{}, fmt.Errorf("cannot parse %q to a valid timestamp", s)
}

// parseDuration parses seconds or a Prometheus duration.
func parseDuration(s string) (time.Duration, error) {
	if d, err := strconv.ParseFloat(s, 64); err == nil {
		ts := d * float64(time.Second)
		if ts > float64(math.MaxInt64) || ts < float64(math.MinInt64) {
			return 0, fmt.Errorf("cannot parse %q to a valid duration. It overflows int64", s)
		}
		return time.Duration(ts), nil
	}
	if d, err := model.ParseDuration(s); err == nil {
		return time.Duration(d), nil
	}
	return 0, fmt.Errorf("cannot parse %q to a valid duration", s)
}

func parseLimit(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, errors.New("limit must be a non-negative number")
	}
	return n, nil
}
