package demo

import (
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

type spanRec struct {
	svc    string
	span   ptrace.Span
	parent string
}

// world is a whole backfill, indexed.
type world struct {
	spans  map[string]spanRec // by span id
	traces map[string][]string
	logs   []logRec
	cache  []gaugeRec
	mem    []gaugeRec // payment pod memory
}

type logRec struct {
	svc string
	rec plog.LogRecord
}

type gaugeRec struct {
	at       time.Time
	v        float64
	pod, uid string
}

func index(t *testing.T, cfg Config) (*world, Counts) {
	t.Helper()
	bs, c := collect(t, cfg, batchRows)
	w := &world{spans: map[string]spanRec{}, traces: map[string][]string{}}
	for _, b := range bs {
		eachSpan(b.traces, func(r pcommon.Resource, s ptrace.Span) {
			w.spans[s.SpanID().String()] = spanRec{str(r.Attributes(), "service.name"), s, s.ParentSpanID().String()}
			w.traces[s.TraceID().String()] = append(w.traces[s.TraceID().String()], s.SpanID().String())
		})
		eachLog(b.logs, func(r pcommon.Resource, l plog.LogRecord) {
			w.logs = append(w.logs, logRec{str(r.Attributes(), "service.name"), l})
		})
		gauge := func(name string, into *[]gaugeRec) {
			eachGauge(b.metrics, name, func(r pcommon.Resource, dp pmetric.NumberDataPoint) {
				if str(r.Attributes(), "k8s.deployment.name") == "payment" {
					*into = append(*into, gaugeRec{dp.Timestamp().AsTime(), dp.DoubleValue(), str(r.Attributes(), "k8s.pod.name"), str(r.Attributes(), "k8s.pod.uid")})
				}
			})
		}
		gauge(CacheMetric, &w.cache)
		gauge(MetricPodMemory, &w.mem)
	}
	return w, c
}

// The default timeline: the backfill starts at now-3h with an empty cache;
// it fills over 2h, stays full 30m, and the pod restarts at now-30m.
func TestIncidentShape(t *testing.T) {
	cfg := testConfig()
	now := cfg.now(time.Time{})
	anchor := now.Add(-cfg.Backfill)
	fullAt := anchor.Add(cfg.Incident.Fill)
	restartAt := fullAt.Add(cfg.Incident.Full)
	w, c := index(t, cfg)

	t.Run("cache grows monotonically to 100k, then a new pod starts empty", func(t *testing.T) {
		pods := map[string][]gaugeRec{}
		var order []string
		for _, g := range w.cache {
			if _, ok := pods[g.uid]; !ok {
				order = append(order, g.uid)
			}
			pods[g.uid] = append(pods[g.uid], g)
		}
		if len(order) != 2 {
			t.Fatalf("%d payment pods reported the cache, want 2 (one restart)", len(order))
		}
		first, second := pods[order[0]], pods[order[1]]
		if first[0].pod == second[0].pod {
			t.Fatalf("the pod after the restart has the same name %s", first[0].pod)
		}
		for _, p := range [][]gaugeRec{first, second} {
			if !slices.IsSortedFunc(p, func(a, b gaugeRec) int { return cmpFloat(a.v, b.v) }) {
				t.Fatalf("cache size of pod %s is not monotone", p[0].pod)
			}
		}
		if first[0].v > 1000 || first[len(first)-1].v != maxCacheLen || second[0].v > 1000 {
			t.Fatalf("cache sizes: first pod %v..%v, second pod starts at %v; want ≈0..100000, then ≈0", first[0].v, first[len(first)-1].v, second[0].v)
		}
		for _, g := range first {
			if full := !g.at.Before(fullAt); full != (g.v == maxCacheLen) {
				t.Fatalf("cache size %v at %s; the cache is full from %s", g.v, g.at, fullAt)
			}
		}
		if c.MaxCacheSize != maxCacheLen {
			t.Fatalf("Counts.MaxCacheSize = %d", c.MaxCacheSize)
		}
	})

	t.Run("payment memory climbs, then drops at the restart to a new pod", func(t *testing.T) {
		byPod := map[string][]float64{}
		var order []string
		for _, g := range w.mem {
			if _, ok := byPod[g.uid]; !ok {
				order = append(order, g.uid)
			}
			byPod[g.uid] = append(byPod[g.uid], g.v)
		}
		if len(order) != 2 {
			t.Fatalf("memory of %d payment pods, want 2", len(order))
		}
		old, young := byPod[order[0]], byPod[order[1]]
		peak := slices.Max(old)
		if peak < 3*old[0] || old[len(old)-1] != 0 || young[0] > peak/2 {
			t.Fatalf("old pod: starts %.0f, peaks %.0f, ends %.0f; new pod starts %.0f: want a climb, a drop to 0, and a new pod well below the peak",
				old[0], peak, old[len(old)-1], young[0])
		}
	})

	t.Run("visa charges slow down, then fail while the cache is full", func(t *testing.T) {
		var early, late []time.Duration
		failed := 0
		for _, s := range w.spans {
			sp := s.span
			if s.svc != "payment" || sp.Kind() != ptrace.SpanKindServer {
				continue
			}
			card := str(sp.Attributes(), "app.payment.card_type")
			at := sp.StartTimestamp().AsTime()
			d := sp.EndTimestamp().AsTime().Sub(at)
			inFull := !at.Before(fullAt) && at.Before(restartAt)
			isErr := sp.Status().Code() == ptrace.StatusCodeError
			if isErr != (card == "visa" && inFull) {
				t.Fatalf("%s charge at %s: error %v; only visa charges fail, and only while the cache is full (%s–%s)", card, at, isErr, fullAt, restartAt)
			}
			if isErr {
				failed++
				if sp.Status().Message() != MsgCacheFull {
					t.Fatalf("failed charge status message %q, want %q", sp.Status().Message(), MsgCacheFull)
				}
				continue
			}
			if card != "visa" {
				if d > 200*time.Millisecond {
					t.Fatalf("%s charge took %s; only visa charges are slow", card, d)
				}
				continue
			}
			switch {
			case at.Before(anchor.Add(30 * time.Minute)):
				early = append(early, d)
			case at.After(fullAt.Add(-30*time.Minute)) && at.Before(fullAt):
				late = append(late, d)
			}
		}
		if failed == 0 || failed != c.FailedVisaCharges {
			t.Fatalf("%d failed visa charges (Counts says %d)", failed, c.FailedVisaCharges)
		}
		if len(early) == 0 || len(late) == 0 {
			t.Fatal("no visa charges early or late in the fill")
		}
		if me, ml := median(early), median(late); ml < 10*me || ml < 500*time.Millisecond {
			t.Fatalf("visa charge median %s early, %s late: want the late ones ≥ 10× slower and > 500ms", me, ml)
		}
	})

	t.Run("the payment error propagates up to the browser", func(t *testing.T) {
		n := 0
		for _, s := range w.spans {
			if s.svc != "payment" || s.span.Status().Code() != ptrace.StatusCodeError {
				continue
			}
			n++
			var chain []string
			for id := s.span.SpanID().String(); ; {
				r, ok := w.spans[id]
				if !ok {
					t.Fatalf("span %s's parent is missing", id)
				}
				if r.span.Status().Code() != ptrace.StatusCodeError {
					t.Fatalf("%s span %q is not an error above a failed charge", r.svc, r.span.Name())
				}
				chain = append(chain, r.svc)
				if r.span.ParentSpanID().IsEmpty() {
					break
				}
				id = r.parent
			}
			if want := []string{"payment", "checkout", "checkout", "frontend", "frontend", "frontend-proxy", "frontend-proxy", "frontend-web"}; !slices.Equal(chain, want) {
				t.Fatalf("error chain %v, want %v", chain, want)
			}
		}
		if n == 0 {
			t.Fatal("no failed charge")
		}
	})

	t.Run("logs are correlated with their spans and name the failure", func(t *testing.T) {
		msgs := map[string]int{}
		for _, l := range w.logs {
			s, ok := w.spans[l.rec.SpanID().String()]
			if !ok || s.span.TraceID() != l.rec.TraceID() || s.svc != l.svc {
				t.Fatalf("%s log %q: SpanId %s is not a %s span of trace %s", l.svc, l.rec.Body().Str(), l.rec.SpanID(), l.svc, l.rec.TraceID())
			}
			msgs[l.svc+": "+l.rec.Body().Str()]++
		}
		for _, m := range []string{"payment: " + MsgCacheFull, "checkout: " + MsgChargeFail, "frontend: " + MsgOrderFailed} {
			if msgs[m] != c.FailedVisaCharges {
				t.Errorf("%d logs %q, want one per failed charge (%d)", msgs[m], m, c.FailedVisaCharges)
			}
		}
		if c.CacheFullLogs != c.FailedVisaCharges || c.OrderFailedLogs != c.FailedVisaCharges || c.ChargeFailLogs != c.FailedVisaCharges {
			t.Errorf("Counts: %+v", c)
		}
	})
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
