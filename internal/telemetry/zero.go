package telemetry

// initAlertedSeries creates, at 0, the series the example alert rules and
// the "overlook" dashboard read (examples/overlook/self_rules.yml): a
// counter that appears only at its first increment has no earlier sample,
// so rate() and increase() miss that first refusal or error (the
// Prometheus instrumentation guidance: initialise known label values).
func (m *Metrics) initAlertedSeries() {
	for _, signal := range []string{"traces", "logs", "metrics"} {
		for _, outcome := range []string{"accepted", "refused"} {
			m.ReceivedItems.WithLabelValues(signal, outcome)
			m.ReceivedRequests.WithLabelValues(signal, outcome)
		}
		m.IngestedRows.WithLabelValues(signal)
		m.IngestedBytes.WithLabelValues(signal)
		m.ExportDuration.WithLabelValues(signal)
		for _, reason := range []string{"overloaded", "unavailable", "error"} {
			m.StoreErrors.WithLabelValues(signal, reason)
		}
	}
	for _, transport := range []string{"http", "grpc", "remote_write"} {
		m.Ingest.InflightRefused.WithLabelValues(transport)
	}
	for _, transport := range []string{"http", "grpc"} {
		for _, reason := range []string{"nesting_depth", "items", "malformed"} {
			m.Ingest.Refused.WithLabelValues(transport, reason)
		}
	}
}
