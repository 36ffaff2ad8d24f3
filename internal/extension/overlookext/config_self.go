package overlookext

import (
	"fmt"
	"time"
)

// SelfTelemetryConfig is extensions::overlook::self_telemetry: overlook's
// own spans (API requests, PromQL queries, ingest commits) are stored in
// process under ServiceName, and (through a `prometheus/overlook_self`
// receiver the configuration gets, internal/distro/self.go) its /metrics
// are scraped into the store with job = ServiceName.
// docs/self-monitoring.md.
type SelfTelemetryConfig struct {
	// Enabled turns self-telemetry on. Default false.
	Enabled bool `mapstructure:"enabled"`
	// ServiceName is the spans' service.name and the scrape job (and so
	// the metrics' job label and service.name). Default "overlook".
	ServiceName string `mapstructure:"service_name"`
	// ScrapeInterval is how often /metrics is scraped. Default 15s.
	ScrapeInterval time.Duration `mapstructure:"scrape_interval"`
}

// DefaultSelfServiceName is self_telemetry::service_name's default.
const DefaultSelfServiceName = "overlook"

// Service is the service name in use.
func (c SelfTelemetryConfig) Service() string {
	if c.ServiceName == "" {
		return DefaultSelfServiceName
	}
	return c.ServiceName
}

// Validate checks the settings.
func (c SelfTelemetryConfig) Validate() error {
	if c.ScrapeInterval < 0 || (c.ScrapeInterval > 0 && c.ScrapeInterval < time.Second) {
		return fmt.Errorf("self_telemetry::scrape_interval %s is below 1s: use e.g. 15s (or leave it unset)", c.ScrapeInterval)
	}
	return nil
}
