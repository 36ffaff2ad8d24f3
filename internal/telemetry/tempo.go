package telemetry

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Tempo self-metrics under Grafana Tempo's names, so that dashboards and
// runbooks written for Tempo (seed 004 greps for these) keep working
// (docs/coming-from-tempo.md):
//
//   - tempo_ingester_traces_created_total{tenant}: traces the store started
//     receiving spans for, i.e. trace IDs not live when a span arrived;
//   - tempo_ingester_live_traces{tenant}: traces with a span in the last
//     LiveTraceIdle (Tempo's trace_idle_period, 10 s by default);
//   - tempo_request_duration_seconds{method, route, status_code, ws}: API
//     request latency, route being overlook's endpoint name.
//
// overlook has one tenant, named "single-tenant" as in Tempo without
// multi-tenancy.
type TempoMetrics struct {
	TracesCreated   prometheus.Counter
	RequestDuration *prometheus.HistogramVec
	live            *LiveTraces
}

const (
	// LiveTraceIdle is how long a trace stays live after its last span.
	LiveTraceIdle = 10 * time.Second
	// MaxLiveTraces bounds the live-trace set (about 60 bytes a trace).
	// Past it, new traces are still counted as created but not tracked,
	// so a trace whose spans keep arriving may be counted again.
	MaxLiveTraces = 200_000
	tempoTenant   = "single-tenant"
)

func newTempoMetrics(reg *prometheus.Registry) *TempoMetrics {
	t := &TempoMetrics{
		TracesCreated: prometheus.NewCounter(prometheus.CounterOpts{
			Name:        "tempo_ingester_traces_created_total",
			Help:        "Traces created: trace IDs that were not live when one of their spans was stored (Tempo's name; overlook_ingested_rows_total counts spans).",
			ConstLabels: prometheus.Labels{"tenant": tempoTenant},
		}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tempo_request_duration_seconds",
			Help:    "Time to answer API requests, by method, route (overlook's endpoint name) and status code (Tempo's name).",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "status_code", "ws"}),
	}
	t.live = NewLiveTraces(LiveTraceIdle, MaxLiveTraces, time.Now, t.TracesCreated)
	reg.MustRegister(t.TracesCreated, t.RequestDuration, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "tempo_ingester_live_traces",
		Help:        "Traces with a span stored in the last 10 s (Tempo's name).",
		ConstLabels: prometheus.Labels{"tenant": tempoTenant},
	}, func() float64 { return float64(t.live.Len()) }))
	return t
}

// ObserveTraces records the trace IDs of stored spans (each once per batch
// is enough; repeats are cheap).
func (t *TempoMetrics) ObserveTraces(ids [][16]byte) { t.live.Observe(ids) }

// LiveTraces is a bounded set of recently seen trace IDs.
type LiveTraces struct {
	mu        sync.Mutex
	seen      map[[16]byte]int64 // trace ID → last seen, unix nanos
	idle      time.Duration
	max       int
	now       func() time.Time
	lastSweep int64
	created   prometheus.Counter
}

// NewLiveTraces returns an empty set; created counts traces not live when seen.
func NewLiveTraces(idle time.Duration, maxTraces int, now func() time.Time, created prometheus.Counter) *LiveTraces {
	return &LiveTraces{seen: map[[16]byte]int64{}, idle: idle, max: maxTraces, now: now, created: created}
}

// Observe marks ids as seen now.
func (l *LiveTraces) Observe(ids [][16]byte) {
	if len(ids) == 0 {
		return
	}
	now := l.now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	created := 0
	for _, id := range ids {
		if _, ok := l.seen[id]; !ok {
			created++
			if len(l.seen) >= l.max {
				continue
			}
		}
		l.seen[id] = now
	}
	if created > 0 {
		l.created.Add(float64(created))
	}
}

// Len returns the number of live traces.
func (l *LiveTraces) Len() int {
	now := l.now().UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	return len(l.seen)
}

// sweep drops idle traces, at most once a second (or when full).
func (l *LiveTraces) sweep(now int64) {
	if now-l.lastSweep < int64(time.Second) && len(l.seen) < l.max {
		return
	}
	l.lastSweep = now
	cutoff := now - int64(l.idle)
	for id, t := range l.seen {
		if t <= cutoff {
			delete(l.seen, id)
		}
	}
}
