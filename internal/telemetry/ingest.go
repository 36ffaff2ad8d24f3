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
	}
	reg.MustRegister(m.Truncated, m.Refused)
	return m
}
