// Package telemetry holds overlook's own Prometheus metrics, served on
// /metrics so overlook can be monitored like any other service.
package telemetry

import (
	"net/http"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the process's own instrumentation. One value is created in
// main and passed to every component; there are no package globals.
type Metrics struct {
	Registry *prometheus.Registry

	// ReceivedItems counts spans, log records and metric data points
	// accepted by a receiver and handed to a pipeline, by signal and outcome
	// ("accepted", "refused").
	ReceivedItems *prometheus.CounterVec
	// ReceivedRequests counts export requests by signal and outcome.
	ReceivedRequests *prometheus.CounterVec
	// IngestedRows counts rows committed to the store, by signal.
	IngestedRows *prometheus.CounterVec
	// IngestedBytes counts OTLP protobuf bytes committed, by signal.
	IngestedBytes *prometheus.CounterVec
	// ExportDuration observes how long the store took to commit a batch.
	ExportDuration *prometheus.HistogramVec
	// StoreErrors counts failed store writes, by signal and reason.
	StoreErrors *prometheus.CounterVec
	// QueryDuration observes API query latency, by endpoint.
	QueryDuration *prometheus.HistogramVec
	// HTTPRequests counts API requests by endpoint and status code.
	HTTPRequests *prometheus.CounterVec
	// Ingest counts what ingest limits refused or truncated (ingest.go).
	Ingest IngestMetrics
	// Tenant counts what per-tenant overrides refused or trimmed (tenant.go).
	Tenant TenantMetrics

	// MemoryBudget is the process memory budget and its parts, by part.
	MemoryBudget *prometheus.GaugeVec
	// Tempo holds Grafana Tempo's self-metrics (tempo.go).
	Tempo *TempoMetrics
	// PromQLCache instruments the PromQL results cache (promcache.go).
	PromQLCache *PromQLCacheMetrics
	// PromQLEvaluations counts range query evaluations by outcome
	// (promvec.go).
	PromQLEvaluations *prometheus.CounterVec

	storeSize atomic.Pointer[func() float64]
	store     storeState
}

// New returns Metrics registered on a fresh registry, with Go runtime and
// process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		ReceivedItems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_receiver_items_total",
			Help: "Spans, log records and metric points received, by signal and outcome (accepted or refused).",
		}, []string{"signal", "outcome"}),
		ReceivedRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_receiver_requests_total",
			Help: "Export requests received, by signal and outcome (accepted or refused).",
		}, []string{"signal", "outcome"}),
		IngestedRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_ingested_rows_total",
			Help: "Rows committed to the store, by signal.",
		}, []string{"signal"}),
		IngestedBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_ingested_bytes_total",
			Help: "OTLP protobuf bytes committed to the store, by signal.",
		}, []string{"signal"}),
		ExportDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "overlook_export_duration_seconds",
			Help:    "Time to commit one export batch to the store, by signal.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"signal"}),
		StoreErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_store_errors_total",
			Help: "Store writes that failed, by signal and reason (overloaded, error).",
		}, []string{"signal", "reason"}),
		QueryDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "overlook_query_duration_seconds",
			Help:    "API query latency, by endpoint.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}, []string{"endpoint"}),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_http_requests_total",
			Help: "API requests, by endpoint and status code.",
		}, []string{"endpoint", "code"}),
		MemoryBudget: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "overlook_memory_budget_bytes",
			Help: "The process memory budget (part=total) and its parts: go (GOMEMLIMIT), memory_limiter, duckdb (memory_limit), pending_rows (store queues). See docs/limits.md.",
		}, []string{"part"}),
	}
	m.Ingest = newIngestMetrics(reg)
	m.Tenant = newTenantMetrics(reg)
	m.Tempo = newTempoMetrics(reg)
	m.PromQLCache = newPromQLCacheMetrics(reg)
	m.PromQLEvaluations = newPromQLEvaluations(reg)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.ReceivedItems, m.ReceivedRequests, m.IngestedRows, m.IngestedBytes,
		m.ExportDuration, m.StoreErrors, m.QueryDuration, m.HTTPRequests,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "overlook_store_disk_bytes",
			Help: "Bytes the store occupies on disk (database file and write-ahead log).",
		}, m.readStoreSize),
		m.MemoryBudget,
	)
	reg.MustRegister(m.storeCollectors()...)
	m.initAlertedSeries()
	return m
}

// SetStoreSize sets the function the overlook_store_disk_bytes gauge reads
// at scrape time; nil reports zero (no store open).
func (m *Metrics) SetStoreSize(size func() float64) {
	if size == nil {
		m.storeSize.Store(nil)
		return
	}
	m.storeSize.Store(&size)
}

func (m *Metrics) readStoreSize() float64 {
	if f := m.storeSize.Load(); f != nil {
		return (*f)()
	}
	return 0
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
