package distro

import (
	"context"
	"fmt"
	"slices"

	"go.opentelemetry.io/collector/confmap"
)

// traceMetricsConnectors are the connectors the default configuration wires
// into the traces pipeline to derive span metrics and the service graph
// (docs/trace-metrics.md), and the one that routes browser session
// recordings out of the logs pipeline (docs/browser-monitoring.md): a
// default pipeline that only they feed is dropped when the user's
// configuration stops exporting to them.
var traceMetricsConnectors = []string{"span_metrics", "service_graph", "routing/sessions"}

// pruneTraceMetrics turns the span metrics and service graph off cleanly
// when the user's configuration leaves their connectors out of every
// pipeline's exporters (for example by replacing
// service::pipelines::traces::exporters with [overlook]): the default
// pipelines that read from them (metrics/spanmetrics,
// metrics/servicegraph) are then removed, since a connector used only as a
// receiver is a configuration error. Pipelines with any other receiver are
// left alone.
type pruneTraceMetrics struct{}

func (pruneTraceMetrics) Convert(_ context.Context, conf *confmap.Conf) error {
	pipelines, _ := conf.Get("service::pipelines").(map[string]any)
	exported := map[string]bool{}
	for _, p := range pipelines {
		pm, _ := p.(map[string]any)
		exps, _ := pm["exporters"].([]any)
		for _, e := range exps {
			if s, ok := e.(string); ok {
				exported[s] = true
			}
		}
	}
	for name, p := range pipelines {
		pm, _ := p.(map[string]any)
		recvs, _ := pm["receivers"].([]any)
		if len(recvs) == 0 {
			continue
		}
		orphan := true
		for _, r := range recvs {
			s, _ := r.(string)
			if !slices.Contains(traceMetricsConnectors, s) || exported[s] {
				orphan = false
				break
			}
		}
		if orphan && !conf.Delete("service::pipelines::"+name) {
			return fmt.Errorf("service::pipelines::%s: could not remove the pipeline of an unused span-metrics connector", name)
		}
	}
	return nil
}
