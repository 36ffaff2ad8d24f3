package demo

import (
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Metrics of the shop, every metrics_interval: what the kubeletstats and
// hostmetrics receivers report for pods, containers, nodes and hosts (the
// names of the OpenTelemetry semantic conventions), the payment service's
// cache gauge, and RED histograms of every server (red.go).

// resKind is what a metric point's resource describes.
type resKind int

const (
	resPod  resKind = iota // k8s.* of a pod and its container
	resNode                // k8s.node.name
	resHost                // host.name
	resApp                 // a service's SDK: service.* and k8s.*
)

// point is one metric data point before it is placed under its resource.
type point struct {
	metric, unit string
	typ          pmetric.MetricType
	monotonic    bool // sums
	res          resKind
	svc          int
	pod          pod
	node         string
	attrs        []kv
	start, at    time.Time
	value        float64
	hist         *hist // histograms
}

const mib = 1 << 20

// Resource metric names (docs/demo.md); the Infrastructure tab reads them.
const (
	MetricPodCPU        = "k8s.pod.cpu.usage"
	MetricPodMemory     = "k8s.pod.memory.usage"
	MetricPodWorkingSet = "k8s.pod.memory.working_set"
	MetricContainerCPU  = "container.cpu.usage"
	MetricContainerMem  = "container.memory.usage"
	MetricNodeCPU       = "k8s.node.cpu.usage"
	MetricNodeMemory    = "k8s.node.memory.usage"
	MetricHostCPU       = "system.cpu.utilization"
	MetricHostMemory    = "system.memory.usage"
)

// metricsAt returns every point due at t.
func (g *generator) metricsAt(t time.Time) []point {
	st := g.in.at(t)
	r := rand.New(rand.NewPCG(g.runSeed()^0x6d657472, uint64(t.Unix())))
	var pts []point
	nodeCPU := map[string]float64{}
	nodeMem := map[string]float64{}
	gauge := func(res resKind, svc int, p pod, node, name, unit string, v float64, attrs ...kv) {
		pts = append(pts, point{metric: name, unit: unit, typ: pmetric.MetricTypeGauge, res: res, svc: svc, pod: p, node: node, at: t, value: v, attrs: attrs})
	}
	for svc := svcProxy; svc < numServices; svc++ {
		sv := services[svc]
		for i := range sv.replicas {
			p := g.sh.pod(svc, i, st.cycle)
			cpu := sv.cpu * (0.85 + 0.3*r.Float64())
			mem := sv.memMiB * (0.97 + 0.06*r.Float64())
			if svc == svcPayment {
				cpu += st.fill * 0.35
				mem = st.paymentMemMiB() * (0.99 + 0.02*r.Float64())
			}
			gauge(resPod, svc, p, p.node, MetricPodCPU, "{cpu}", cpu)
			gauge(resPod, svc, p, p.node, MetricPodMemory, "By", mem*mib)
			gauge(resPod, svc, p, p.node, MetricPodWorkingSet, "By", mem*0.92*mib)
			gauge(resPod, svc, p, p.node, MetricContainerCPU, "{cpu}", cpu*0.97)
			gauge(resPod, svc, p, p.node, MetricContainerMem, "By", mem*0.95*mib)
			nodeCPU[p.node] += cpu
			nodeMem[p.node] += mem
		}
	}
	if st.cycle > 0 && t.Sub(g.in.cycleStart(st.cycle)) < g.cfg.MetricsInterval {
		// The pod killed at the restart reports once more, terminated:
		// its CPU and memory drop to zero.
		old := g.sh.paymentPod(st.cycle - 1)
		for _, name := range []string{MetricPodCPU, MetricPodMemory, MetricPodWorkingSet, MetricContainerCPU, MetricContainerMem} {
			unit := "By"
			if name == MetricPodCPU || name == MetricContainerCPU {
				unit = "{cpu}"
			}
			gauge(resPod, svcPayment, old, old.node, name, unit, 0)
		}
	}
	for _, n := range nodes {
		cpu := 0.3 + 0.1*r.Float64() + nodeCPU[n]
		mem := 2100 + 50*r.Float64() + nodeMem[n]
		gauge(resNode, 0, pod{}, n, MetricNodeCPU, "{cpu}", cpu)
		gauge(resNode, 0, pod{}, n, MetricNodeMemory, "By", mem*mib)
		gauge(resHost, 0, pod{}, n, MetricHostCPU, "1", min(1, (cpu+0.05)/nodeCores))
		pts = append(pts, point{metric: MetricHostMemory, unit: "By", typ: pmetric.MetricTypeSum, res: resHost, node: n,
			start: g.in.anchor, at: t, value: (mem + 400) * mib, attrs: []kv{{"system.memory.state", "used"}}})
	}
	gauge(resApp, svcPayment, g.sh.pod(svcPayment, 0, st.cycle), "", CacheMetric, "{item}", float64(st.cacheSize()))
	return append(pts, g.red.points(t, g.sh.pod(svcPayment, 0, st.cycle).name)...)
}

// assembleMetrics groups points by resource and metric, in first-seen
// order so the output is deterministic.
func assembleMetrics(pts []point) pmetric.Metrics {
	md := pmetric.NewMetrics()
	type resKey struct {
		res  resKind
		svc  int
		pod  string
		node string
	}
	type metricKey struct {
		res  resKey
		name string
	}
	resources := map[resKey]pmetric.MetricSlice{}
	metrics := map[metricKey]pmetric.Metric{}
	for i := range pts {
		pt := &pts[i]
		rk := resKey{pt.res, pt.svc, pt.pod.name, pt.node}
		ms, ok := resources[rk]
		if !ok {
			rm := md.ResourceMetrics().AppendEmpty()
			a := rm.Resource().Attributes()
			switch pt.res {
			case resPod:
				fillPodResource(a, pt.svc, pt.pod)
			case resNode:
				a.PutStr("k8s.node.name", pt.node)
			case resHost:
				a.PutStr("host.name", pt.node)
				a.PutStr("os.type", "linux")
			case resApp:
				fillResource(rm.Resource(), pt.svc, pt.pod)
			}
			sm := rm.ScopeMetrics().AppendEmpty()
			scope := map[resKind]string{resPod: "kubeletstatsreceiver", resNode: "kubeletstatsreceiver", resHost: "hostmetricsreceiver", resApp: services[pt.svc].scope}[pt.res]
			sm.Scope().SetName(scope)
			ms = sm.Metrics()
			resources[rk] = ms
		}
		mk := metricKey{rk, pt.metric}
		m, ok := metrics[mk]
		if !ok {
			m = ms.AppendEmpty()
			m.SetName(pt.metric)
			m.SetUnit(pt.unit)
			switch pt.typ {
			case pmetric.MetricTypeGauge:
				m.SetEmptyGauge()
			case pmetric.MetricTypeSum:
				m.SetEmptySum().SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
				m.Sum().SetIsMonotonic(pt.monotonic)
			case pmetric.MetricTypeHistogram:
				m.SetEmptyHistogram().SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
			}
			metrics[mk] = m
		}
		switch pt.typ {
		case pmetric.MetricTypeGauge:
			dp := m.Gauge().DataPoints().AppendEmpty()
			dp.SetTimestamp(ts(pt.at))
			dp.SetDoubleValue(pt.value)
			putAttrs(dp.Attributes(), pt.attrs)
		case pmetric.MetricTypeSum:
			dp := m.Sum().DataPoints().AppendEmpty()
			dp.SetStartTimestamp(ts(pt.start))
			dp.SetTimestamp(ts(pt.at))
			dp.SetDoubleValue(pt.value)
			putAttrs(dp.Attributes(), pt.attrs)
		case pmetric.MetricTypeHistogram:
			dp := m.Histogram().DataPoints().AppendEmpty()
			dp.SetStartTimestamp(ts(pt.start))
			dp.SetTimestamp(ts(pt.at))
			h := pt.hist
			dp.SetCount(h.count)
			dp.SetSum(h.sum)
			if h.count > 0 {
				dp.SetMin(h.min)
				dp.SetMax(h.max)
			}
			dp.ExplicitBounds().FromRaw(h.bounds)
			dp.BucketCounts().FromRaw(h.counts)
			putAttrs(dp.Attributes(), pt.attrs)
		}
	}
	return md
}
