package telemetry

import "github.com/prometheus/client_golang/prometheus"

// newPromQLEvaluations counts PromQL range query evaluations by how they
// were evaluated (internal/prom/promvec; query::promql_evaluator).
func newPromQLEvaluations(reg *prometheus.Registry) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "overlook_promql_range_evaluations_total",
		Help: "PromQL range query evaluations (each part of a split query counts) by outcome: vectorized (evaluated by the vectorized evaluator), fell_back (of its shape, but the data needed Prometheus's engine), engine (not of its shape, or query::promql_evaluator: engine).",
	}, []string{"outcome"})
	reg.MustRegister(c)
	return c
}
