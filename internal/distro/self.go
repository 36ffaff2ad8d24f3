package distro

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

// Self-telemetry's metrics half (extensions::overlook::self_telemetry,
// docs/self-monitoring.md): a prometheus receiver scraping overlook's own
// /metrics into the store, in its own pipeline.
const (
	SelfReceiver = "prometheus/overlook_self"
	SelfPipeline = "metrics/overlook_self"
)

// selfTelemetry adds the self-scrape receiver and pipeline when
// extensions::overlook::self_telemetry::enabled is true (spans are stored
// by the extension itself, in process). A receiver or pipeline of the same
// name in the user's configuration is left as the user wrote it.
type selfTelemetry struct{}

func (selfTelemetry) Convert(_ context.Context, conf *confmap.Conf) error {
	const key = "extensions::overlook::self_telemetry::"
	if !truthy(conf.Get(key + "enabled")) {
		return nil
	}
	job := "overlook"
	if s, ok := conf.Get(key + "service_name").(string); ok && s != "" {
		job = s
	}
	interval := "15s"
	if v := conf.Get(key + "scrape_interval"); v != nil && fmt.Sprint(v) != "" && fmt.Sprint(v) != "0" {
		if d, err := time.ParseDuration(fmt.Sprint(v)); err == nil && d >= time.Second {
			interval = d.String()
		}
	}
	endpoint, _ := conf.Get("extensions::overlook::http::endpoint").(string)
	target, err := selfTarget(endpoint)
	if err != nil {
		return err
	}
	scheme := "http"
	if conf.IsSet("extensions::overlook::http::tls") {
		scheme = "https"
	}
	set := map[string]any{}
	if !conf.IsSet("receivers::" + SelfReceiver) {
		sc := map[string]any{
			"job_name": job, "scrape_interval": interval, "metrics_path": "/metrics", "scheme": scheme,
			"static_configs": []any{map[string]any{"targets": []any{target}}},
		}
		if scheme == "https" {
			// Its own listener: the certificate need not name 127.0.0.1.
			sc["tls_config"] = map[string]any{"insecure_skip_verify": true}
		}
		set["receivers::"+SelfReceiver+"::config::scrape_configs"] = []any{sc}
	}
	if !conf.IsSet("service::pipelines::" + SelfPipeline) {
		set["service::pipelines::"+SelfPipeline] = map[string]any{
			"receivers": []any{SelfReceiver}, "exporters": []any{"overlook"},
		}
	}
	return conf.Merge(confmap.NewFromStringMap(set))
}

// selfTarget is the address overlook scrapes itself at: the API endpoint
// with a wildcard host replaced by loopback.
func selfTarget(endpoint string) (string, error) {
	if endpoint == "" {
		endpoint = "0.0.0.0:8080"
	}
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		return "", fmt.Errorf("self_telemetry: extensions::overlook::http::endpoint %q is not host:port: %w", endpoint, err)
	}
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		host = "127.0.0.1"
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port), nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

// ServiceTelemetryExample is the configuration docs/self-monitoring.md
// gives for sending overlook's own spans and metrics to an OTLP endpoint
// with the collector's standard service::telemetry settings (tested
// against the collector's schema in self_test.go).
const ServiceTelemetryExample = `service:
  telemetry:
    resource:
      service.name: overlook
    traces:
      level: normal
      processors:
        - batch:
            exporter:
              otlp:
                protocol: http/protobuf
                endpoint: http://otel-collector:4318/v1/traces
    metrics:
      level: normal
      readers:
        - periodic:
            interval: 15000
            exporter:
              otlp:
                protocol: http/protobuf
                endpoint: http://otel-collector:4318/v1/metrics
`
