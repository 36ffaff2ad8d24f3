package demo

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// RED metrics: every server span of the generated traces is recorded in a
// cumulative histogram of its service pod and operation, as the SDKs'
// instrumentation does: rpc.server.duration (ms) for gRPC servers,
// http.server.request.duration (s) for HTTP ones.

const (
	MetricRPCDuration  = "rpc.server.duration"
	MetricHTTPDuration = "http.server.request.duration"
)

var (
	rpcBounds  = []float64{0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000}
	httpBounds = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
)

// hist is one cumulative histogram series.
type hist struct {
	svc           int
	pod           pod
	http          bool
	op            string // rpc service/method or http route
	start         time.Time
	bounds        []float64
	counts        []uint64
	count         uint64
	sum, min, max float64
}

type redKey struct {
	svc     int
	pod, op string
}

type redState struct {
	series map[redKey]*hist
}

func newRedState() *redState { return &redState{series: map[redKey]*hist{}} }

// add records the server spans of tr; a new series starts counting at
// start, or paymentStart (the payment pod's start) for payment.
func (s *redState) add(tr *genTrace, start, paymentStart time.Time) {
	for i := range tr.spans {
		sp := &tr.spans[i]
		if sp.kind != ptrace.SpanKindServer || sp.svc == svcProxy {
			continue
		}
		k := redKey{sp.svc, sp.pod.name, sp.name}
		h := s.series[k]
		if h == nil {
			isHTTP := !strings.HasPrefix(sp.name, "oteldemo.")
			h = &hist{svc: sp.svc, pod: sp.pod, http: isHTTP, op: sp.name, start: start, bounds: rpcBounds}
			if sp.svc == svcPayment {
				h.start = paymentStart
			}
			if isHTTP {
				h.bounds = httpBounds
			}
			h.counts = make([]uint64, len(h.bounds)+1)
			s.series[k] = h
		}
		v := float64(sp.end.Sub(sp.start)) / float64(time.Millisecond)
		if h.http {
			v /= 1000
		}
		b, _ := slices.BinarySearch(h.bounds, v)
		h.counts[b]++
		if h.count == 0 || v < h.min {
			h.min = v
		}
		if h.count == 0 || v > h.max {
			h.max = v
		}
		h.count++
		h.sum += v
	}
}

// points returns every series at t, sorted, and forgets the series of
// payment pods other than paymentPod (replaced at a restart).
func (s *redState) points(t time.Time, paymentPod string) []point {
	keys := make([]redKey, 0, len(s.series))
	for k := range s.series {
		if k.svc == svcPayment && k.pod != paymentPod {
			delete(s.series, k)
			continue
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b redKey) int {
		return cmp.Or(cmp.Compare(a.svc, b.svc), cmp.Compare(a.pod, b.pod), cmp.Compare(a.op, b.op))
	})
	pts := make([]point, 0, len(keys))
	for _, k := range keys {
		h := s.series[k]
		cp := *h
		cp.counts = slices.Clone(h.counts)
		pt := point{typ: pmetric.MetricTypeHistogram, res: resApp, svc: h.svc, pod: h.pod, start: h.start, at: t, hist: &cp}
		if h.http {
			route := h.op[strings.IndexByte(h.op, ' ')+1:]
			method := h.op[:strings.IndexByte(h.op, ' ')]
			pt.metric, pt.unit = MetricHTTPDuration, "s"
			pt.attrs = []kv{{"http.request.method", method}, {"http.route", route}}
		} else {
			svc, method, _ := strings.Cut(h.op, "/")
			pt.metric, pt.unit = MetricRPCDuration, "ms"
			pt.attrs = []kv{{"rpc.system", "grpc"}, {"rpc.service", svc}, {"rpc.method", method}}
		}
		pts = append(pts, pt)
	}
	return pts
}
