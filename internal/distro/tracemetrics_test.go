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
