package telemetry

import "github.com/prometheus/client_golang/prometheus"

// IngestMetrics count what the ingest limits (extensions::overlook::ingest)
// did to incoming data.
type IngestMetrics struct {
	// Truncated counts changes made to stored data, by signal and what:
	// attributes (dropped over max_attributes), attribute_value, name,
	// body, events, links.
	Truncated *prometheus.CounterVec
	// Refused counts requests refused before decoding, by transport
	// (http, grpc) and reason (nesting_depth, items, malformed, timestamp).
	Refused *prometheus.CounterVec
	// InflightRefused counts requests refused because the bodies being
	// decoded already hold ingest::max_inflight_bytes, by transport (http,
	// grpc, remote_write): retryable, unlike Refused.
	InflightRefused *prometheus.CounterVec
	// InflightBytes is the weight of the requests being decoded or
	// waiting for their answer; InflightLimit the bound (0: none).
	InflightBytes, InflightLimit prometheus.Gauge
}

func newIngestMetrics(reg *prometheus.Registry) IngestMetrics {
	m := IngestMetrics{
		Truncated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_ingest_truncated_total",
			Help: "Attributes, events and links dropped and values, names and bodies truncated by the ingest limits, by signal and what.",
		}, []string{"signal", "what"}),
		Refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_ingest_refused_total",
			Help: "OTLP requests refused by the ingest guard as the client's mistake, by transport and reason.",
		}, []string{"transport", "reason"}),
		InflightRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_ingest_inflight_refused_total",
			Help: "Ingest requests refused retryably (gRPC UNAVAILABLE, HTTP 503) because the requests being decoded held ingest::max_inflight_bytes, by transport.",
		}, []string{"transport"}),
		InflightBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "overlook_ingest_inflight_bytes",
			Help: "Weight (4x the uncompressed body) of the ingest requests being decoded or waiting for their answer.",
		}),
		InflightLimit: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "overlook_ingest_inflight_limit_bytes",
			Help: "ingest::max_inflight_bytes: the bound on overlook_ingest_inflight_bytes (0: none).",
		}),
	}
	reg.MustRegister(m.Truncated, m.Refused, m.InflightRefused, m.InflightBytes, m.InflightLimit)
	return m
}
