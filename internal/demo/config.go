// Package demo generates a live, OpenTelemetry-demo-like shop and sends it
// over real OTLP to overlook's own receiver, so that `overlook serve
// --demo` shows the whole product on a fresh machine: ≥ 10 services on
// Kubernetes, traces with client/server span pairs, logs correlated with
// them, pod/node/host metrics, application metrics, and an incident to
// investigate (the payment service's visa validation cache fills up).
//
// The data is seeded: with the same Config (seed, now, rates) the backfill
// is exactly the same, so tests know the counts (Expected). See
// docs/demo.md.
package demo

import (
	"errors"
	"fmt"
	"net"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

// ConfigKey is where the demo's configuration lives in overlook's
// configuration.
const ConfigKey = "extensions::overlook::demo"

// Config is the demo generator's configuration
// (extensions::overlook::demo::*). Zero values of a loaded Config are
// filled by DefaultConfig's.
type Config struct {
	// Enabled starts the generator with the server; `overlook serve
	// --demo` sets it.
	Enabled bool `mapstructure:"enabled"`
	// Seed makes the data reproducible. Default 1.
	Seed uint64 `mapstructure:"seed"`
	// Now is the end of the backfill and the start of the live stream, an
	// RFC 3339 time (e.g. 2026-01-02T15:00:00Z), truncated to the second.
	// Unset: the wall clock at start. Tests fix it.
	Now time.Time `mapstructure:"now"`
	// Backfill is how much history is generated at start, ending at Now.
	// Default 3h; 0: none.
	Backfill time.Duration `mapstructure:"backfill"`
	// BackfillRate is the user requests (traces) per second of the
	// backfilled history. Default 1: 3 h ≈ 10,800 traces, ≈ 190k rows
	// (≈ 10-25 s to ingest on a 2-core machine).
	BackfillRate float64 `mapstructure:"backfill_rate"`
	// Rate is the user requests (traces) per second once live. Default 1,
	// the backfill's, so that charts do not jump where history ends and
	// the incident's error spike stays visible; raise it for a load demo.
	Rate float64 `mapstructure:"rate"`
	// Live keeps sending in real time after the backfill. Default true.
	Live *bool `mapstructure:"live"`
	// MetricsInterval is the period of every metric. Default 30s.
	MetricsInterval time.Duration `mapstructure:"metrics_interval"`
	// Endpoint is the OTLP/gRPC host:port data is sent to. Empty: the
	// `otlp` receiver's grpc endpoint (0.0.0.0 becomes 127.0.0.1).
	Endpoint string `mapstructure:"endpoint"`
	// Incident shapes the visa cache incident.
	Incident IncidentConfig `mapstructure:"incident"`
}

// IncidentConfig is the incident's timeline. It repeats every Fill+Full,
// starting at Now-Backfill: the cache grows from 0 to 100,000 over Fill
// (visa charges slow down as it grows), then stays full for Full (visa
// charges fail), then the payment pod restarts with an empty cache.
type IncidentConfig struct {
	// Fill is how long the cache takes to fill. Default 2h.
	Fill time.Duration `mapstructure:"fill"`
	// Full is how long it stays full before the pod restarts. Default 30m.
	Full time.Duration `mapstructure:"full"`
}

// DefaultConfig is the configuration of `overlook serve --demo`.
func DefaultConfig() Config {
	return Config{
		Seed:            1,
		Backfill:        3 * time.Hour,
		BackfillRate:    1,
		Rate:            1,
		MetricsInterval: 30 * time.Second,
		Incident:        IncidentConfig{Fill: 2 * time.Hour, Full: 30 * time.Minute},
	}
}

// Limits that keep a demo a demo (documented in docs/demo.md).
const (
	maxRate     = 2000
	maxBackfill = 7 * 24 * time.Hour
)

// Validate checks the configuration and says how to fix what is wrong.
func (c Config) Validate() error {
	var errs []error
	if c.Backfill < 0 || c.Backfill > maxBackfill {
		errs = append(errs, fmt.Errorf("demo::backfill %s is out of range: use a duration from 0 to %s", c.Backfill, maxBackfill))
	}
	for name, r := range map[string]float64{"rate": c.Rate, "backfill_rate": c.BackfillRate} {
		if r < 0 || r > maxRate {
			errs = append(errs, fmt.Errorf("demo::%s %g is out of range: use traces per second from 0 to %d", name, r, maxRate))
		}
	}
	if c.MetricsInterval != 0 && (c.MetricsInterval < time.Second || c.MetricsInterval%time.Second != 0) {
		errs = append(errs, fmt.Errorf("demo::metrics_interval %s: use whole seconds, at least 1s", c.MetricsInterval))
	}
	if c.Incident.Fill < 0 || c.Incident.Full < 0 {
		errs = append(errs, fmt.Errorf("demo::incident durations must not be negative (fill %s, full %s)", c.Incident.Fill, c.Incident.Full))
	}
	if c.Endpoint != "" {
		if _, _, err := net.SplitHostPort(c.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("demo::endpoint %q: use host:port of an OTLP/gRPC receiver: %w", c.Endpoint, err))
		}
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero values with DefaultConfig's.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Seed == 0 {
		c.Seed = d.Seed
	}
	if c.MetricsInterval == 0 {
		c.MetricsInterval = d.MetricsInterval
	}
	if c.Incident.Fill == 0 {
		c.Incident.Fill = d.Incident.Fill
	}
	if c.Incident.Full == 0 {
		c.Incident.Full = d.Incident.Full
	}
	return c
}

// live reports whether the generator keeps sending after the backfill.
func (c Config) live() bool { return c.Live == nil || *c.Live }

// now returns Now, or wall if it is unset. Times are whole seconds: the
// generator works in one-second slots.
func (c Config) now(wall time.Time) time.Time {
	if !c.Now.IsZero() {
		return c.Now.Truncate(time.Second).UTC()
	}
	return wall.Truncate(time.Second).UTC()
}

// FromConf reads the demo configuration from overlook's resolved
// configuration and fills Endpoint from the OTLP receiver when it is
// empty.
func FromConf(conf *confmap.Conf) (Config, error) {
	cfg := DefaultConfig()
	if conf.IsSet(ConfigKey) {
		sub, err := conf.Sub(ConfigKey)
		if err != nil {
			return cfg, fmt.Errorf("%s: %w", ConfigKey, err)
		}
		if err := sub.Unmarshal(&cfg); err != nil {
			return cfg, fmt.Errorf("%s: %w (now is an RFC 3339 time, e.g. 2026-01-02T15:04:05Z)", ConfigKey, err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	if !cfg.Enabled || cfg.Endpoint != "" {
		return cfg, nil
	}
	ep, _ := conf.Get("receivers::otlp::protocols::grpc::endpoint").(string)
	if ep == "" {
		return cfg, errors.New("the demo sends OTLP/gRPC, but receivers::otlp::protocols::grpc::endpoint is not set: enable the otlp receiver's grpc protocol or set extensions::overlook::demo::endpoint")
	}
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		return cfg, fmt.Errorf("receivers::otlp::protocols::grpc::endpoint %q: %w", ep, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" || host == "[::]" {
		host = "127.0.0.1"
	}
	cfg.Endpoint = net.JoinHostPort(host, port)
	return cfg, nil
}
