package distro

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// TestSelfTelemetryAddsScrape: the switch adds the self-scrape receiver
// and pipeline, and the result is a valid collector configuration.
func TestSelfTelemetryAddsScrape(t *testing.T) {
	cases := []struct {
		name   string
		sets   []string
		target string
		job    string
		every  string
	}{
		{"defaults", []string{"extensions::overlook::self_telemetry::enabled=true"}, "127.0.0.1:8080", "overlook", "15s"},
		{"own names", []string{"extensions::overlook::self_telemetry::enabled=true", "extensions::overlook::self_telemetry::service_name=ovl",
			"extensions::overlook::self_telemetry::scrape_interval=5s", "extensions::overlook::http::endpoint=127.0.0.2:9999"},
			"127.0.0.2:9999", "ovl", "5s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conf, err := Resolve(context.Background(), Sources{Sets: c.sets})
			if err != nil {
				t.Fatal(err)
			}
			sc := conf.Get("receivers::" + SelfReceiver + "::config::scrape_configs").([]any)[0].(map[string]any)
			if sc["job_name"] != c.job || sc["scrape_interval"] != c.every {
				t.Errorf("scrape config %v", sc)
			}
			targets := sc["static_configs"].([]any)[0].(map[string]any)["targets"]
			if !reflect.DeepEqual(targets, []any{c.target}) {
				t.Errorf("targets %v, want %s", targets, c.target)
			}
			if got := conf.Get("service::pipelines::" + SelfPipeline + "::receivers"); !reflect.DeepEqual(got, []any{SelfReceiver}) {
				t.Errorf("pipeline receivers %v", got)
			}
			if err := Validate(context.Background(), Sources{Sets: c.sets}); err != nil {
				t.Fatalf("config with self-telemetry invalid: %v", err)
			}
		})
	}
	conf, err := Resolve(context.Background(), Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if conf.IsSet("receivers::"+SelfReceiver) || conf.IsSet("service::pipelines::"+SelfPipeline) {
		t.Error("self-scrape added without the switch")
	}
	err = Validate(context.Background(), Sources{Sets: []string{"extensions::overlook::self_telemetry::scrape_interval=10ms"}})
	if err == nil || !strings.Contains(err.Error(), "self_telemetry::scrape_interval 10ms is below 1s") {
		t.Errorf("a sub-second scrape interval: %v", err)
	}
}

// TestServiceTelemetryOTLP: the service::telemetry YAML docs/self-monitoring.md
// gives for sending overlook's spans and metrics to any OTLP endpoint is
// valid for the collector's own telemetry schema.
func TestServiceTelemetryOTLP(t *testing.T) {
	f := writeFile(t, ServiceTelemetryExample)
	if err := Validate(context.Background(), Sources{Files: []string{f}}); err != nil {
		t.Fatalf("documented service::telemetry config rejected: %v", err)
	}
	bad := writeFile(t, strings.Replace(ServiceTelemetryExample, "endpoint:", "endpiont:", 1))
	if err := Validate(context.Background(), Sources{Files: []string{bad}}); err == nil {
		t.Fatal("a misspelt service::telemetry key was accepted")
	}
}
