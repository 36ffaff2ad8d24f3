package search

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the scheduler's own, on /metrics.
type metrics struct {
	// evaluations counts evaluations by result: ok, error, timeout, or
	// skipped (the previous one still ran).
	evaluations *prometheus.CounterVec
	duration    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		evaluations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_alert_evaluations_total",
			Help: "Search and tile alert evaluations, by result (ok, error, timeout, skipped: the previous evaluation still ran).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "overlook_alert_evaluation_duration_seconds",
			Help:    "Time one search or tile alert evaluation's query took.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}),
	}
	if reg != nil {
		// A restarted extension (collector reload) shares the registry:
		// keep counting on the registered collectors.
		m.evaluations = register(reg, m.evaluations)
		m.duration = register(reg, m.duration)
	}
	for _, r := range []string{"ok", "error", "timeout", "skipped"} {
		m.evaluations.WithLabelValues(r)
	}
	return m
}

// register registers c, or returns the equal collector registered before.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
		panic(fmt.Sprintf("BUG: register alert metrics: %v", err))
	}
	return c
}
