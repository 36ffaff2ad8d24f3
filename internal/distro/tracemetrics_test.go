package distro

import (
	"context"
	"reflect"
	"testing"
)

// TestTraceMetricsDefaultAndSwitch: the default configuration feeds every
// span of the traces pipeline to the span-metrics and service-graph
// connectors and validates; replacing the traces exporters turns both off
// and the configuration still validates (the connector pipelines are gone).
func TestTraceMetricsDefaultAndSwitch(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name          string
		sets          []string
		wantExporters []any
		wantPipelines bool
	}{
		{"default", nil, []any{"overlook", "span_metrics", "service_graph"}, true},
		{"off", []string{"service::pipelines::traces::exporters=[overlook]"}, []any{"overlook"}, false},
		{"service graph only", []string{"service::pipelines::traces::exporters=[overlook, service_graph]"}, []any{"overlook", "service_graph"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Sources{Sets: tt.sets}
			conf, err := Resolve(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := conf.Get("service::pipelines::traces::exporters"); !reflect.DeepEqual(got, tt.wantExporters) {
				t.Errorf("traces exporters = %v, want %v", got, tt.wantExporters)
			}
			if got := conf.IsSet("service::pipelines::metrics/spanmetrics"); got != tt.wantPipelines {
				t.Errorf("metrics/spanmetrics present = %v, want %v", got, tt.wantPipelines)
			}
			if got := conf.IsSet("service::pipelines::metrics/servicegraph"); got != (tt.name != "off") {
				t.Errorf("metrics/servicegraph present = %v", got)
			}
			if err := Validate(ctx, s); err != nil {
				t.Fatalf("configuration invalid: %v", err)
			}
		})
	}
}

// TestTraceMetricsDocExamples: the configurations docs/trace-metrics.md
// shows validate.
func TestTraceMetricsDocExamples(t *testing.T) {
	for name, yaml := range map[string]string{
		"sampling": `service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [span_metrics, service_graph]
    traces/sampled:
      receivers: [otlp]
      processors: [memory_limiter, probabilistic_sampler]
      exporters: [overlook]
processors:
  probabilistic_sampler:
    sampling_percentage: 10
`,
		"remote write": `exporters:
  prometheusremotewrite:
    endpoint: http://127.0.0.1:9090/api/v1/write
service:
  pipelines:
    metrics/spanmetrics:
      exporters: [overlook, prometheusremotewrite]
    metrics/servicegraph:
      exporters: [overlook, prometheusremotewrite]
`,
		"tail sampling and old connector names": `connectors:
  spanmetrics: {}
  servicegraph: {}
processors:
  tail_sampling:
    policies:
      - name: errors
        type: status_code
        status_code: {status_codes: [ERROR]}
service:
  pipelines:
    traces/mine:
      receivers: [otlp]
      processors: [tail_sampling]
      exporters: [spanmetrics, servicegraph]
    metrics/mine:
      receivers: [spanmetrics, servicegraph]
      exporters: [overlook]
`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := Validate(context.Background(), Sources{Files: []string{writeFile(t, yaml)}}); err != nil {
				t.Fatalf("invalid: %v", err)
			}
		})
	}
}
