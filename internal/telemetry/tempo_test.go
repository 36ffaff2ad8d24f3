package telemetry

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestLiveTraces(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	id := func(b byte) [16]byte { return [16]byte{b} }
	tests := []struct {
		name        string
		max         int
		steps       [][][16]byte // each step observes ids, then the clock moves 4 s
		wantCreated float64
		wantLive    int
	}{
		{"repeats in and across batches count once", 10, [][][16]byte{{id(1), id(1), id(2)}, {id(2), id(1)}}, 2, 2},
		{"a trace idle for 10 s is created again", 10, [][][16]byte{{id(1)}, {}, {}, {id(1)}}, 2, 1},
		{"over the cap: counted, not tracked", 2, [][][16]byte{{id(1), id(2), id(3)}, {id(3)}}, 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = time.Unix(1000, 0)
			c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c"})
			l := NewLiveTraces(10*time.Second, tt.max, clock, c)
			for i, ids := range tt.steps {
				l.Observe(ids)
				if i < len(tt.steps)-1 {
					now = now.Add(4 * time.Second)
				}
			}
			if got := testutil.ToFloat64(c); got != tt.wantCreated {
				t.Errorf("created = %v, want %v", got, tt.wantCreated)
			}
			if got := l.Len(); got != tt.wantLive {
				t.Errorf("live = %d, want %d", got, tt.wantLive)
			}
		})
	}
}

func TestTempoMetricsServed(t *testing.T) {
	m := New()
	m.Tempo.ObserveTraces([][16]byte{{1}, {2}})
	m.Tempo.RequestDuration.WithLabelValues("GET", "search", "200", "false").Observe(0.01)
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	rec := w.Body.String()
	for _, want := range []string{
		`tempo_ingester_traces_created_total{tenant="single-tenant"} 2`,
		`tempo_ingester_live_traces{tenant="single-tenant"} 2`,
		`tempo_request_duration_seconds_count{method="GET",route="search",status_code="200",ws="false"} 1`,
	} {
		if !strings.Contains(rec, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
