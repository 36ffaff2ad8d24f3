// Package overrides holds the per-tenant limits (Tempo's "overrides"):
// ingestion rate and burst per signal, active series, attributes per item
// and retention, with defaults for every tenant and overrides per tenant
// (extensions::overlook::multitenancy::overrides; docs/security.md).
package overrides

import "time"

// Config is extensions::overlook::multitenancy::overrides.
type Config struct {
	// Defaults apply to every tenant (with multitenancy off, to the one
	// implicit tenant).
	Defaults Limits `mapstructure:"defaults"`
	// Tenants override Defaults field by field for the named tenants.
	Tenants map[string]Limits `mapstructure:"tenants"`
}

// Limits are one tenant's limits. In Defaults a zero value means no limit
// (retention: storage::retention). In a tenant's override a zero value
// means "as Defaults" and a negative one "no limit" (retention: keep
// storage::retention).
type Limits struct {
	Ingestion Ingestion `mapstructure:"ingestion"`
	// MaxActiveSeries caps the metric series (metric name plus
	// attributes) written in the last hour; points of new series beyond
	// it are refused.
	MaxActiveSeries int `mapstructure:"max_active_series"`
	// MaxAttributes caps the attributes of one span, span event, log
	// record or data point; the rest are dropped and counted in its
	// dropped attributes count, as OpenTelemetry SDKs' limits do.
	MaxAttributes int `mapstructure:"max_attributes"`
	// Retention is how long this tenant's data is kept, per signal.
	Retention Retention `mapstructure:"retention"`
}

// Ingestion is the token-bucket rate per signal: items per second and the
// burst above it. Past it, ingest is refused with 429 / ResourceExhausted
// and a retry delay.
type Ingestion struct {
	SpansPerSecond   float64 `mapstructure:"spans_per_second"`
	SpansBurst       int     `mapstructure:"spans_burst"`
	LogsPerSecond    float64 `mapstructure:"logs_per_second"`
	LogsBurst        int     `mapstructure:"logs_burst"`
	SamplesPerSecond float64 `mapstructure:"samples_per_second"`
	SamplesBurst     int     `mapstructure:"samples_burst"`
}

// Retention is a tenant's retention per signal.
type Retention struct {
	Logs     time.Duration `mapstructure:"logs"`
	Traces   time.Duration `mapstructure:"traces"`
	Metrics  time.Duration `mapstructure:"metrics"`
	Sessions time.Duration `mapstructure:"sessions"`
}

// For returns tenant's effective limits: Defaults with the tenant's
// overrides applied. In the result zero means no limit (retention: as
// storage::retention).
func (c Config) For(tenant string) Limits {
	d, o := c.Defaults, c.Tenants[tenant]
	return Limits{
		Ingestion: Ingestion{
			SpansPerSecond:   pick(d.Ingestion.SpansPerSecond, o.Ingestion.SpansPerSecond),
			SpansBurst:       pick(d.Ingestion.SpansBurst, o.Ingestion.SpansBurst),
			LogsPerSecond:    pick(d.Ingestion.LogsPerSecond, o.Ingestion.LogsPerSecond),
			LogsBurst:        pick(d.Ingestion.LogsBurst, o.Ingestion.LogsBurst),
			SamplesPerSecond: pick(d.Ingestion.SamplesPerSecond, o.Ingestion.SamplesPerSecond),
			SamplesBurst:     pick(d.Ingestion.SamplesBurst, o.Ingestion.SamplesBurst),
		},
		MaxActiveSeries: pick(d.MaxActiveSeries, o.MaxActiveSeries),
		MaxAttributes:   pick(d.MaxAttributes, o.MaxAttributes),
		Retention: Retention{
			Logs:     pick(d.Retention.Logs, o.Retention.Logs),
			Traces:   pick(d.Retention.Traces, o.Retention.Traces),
			Metrics:  pick(d.Retention.Metrics, o.Retention.Metrics),
			Sessions: pick(d.Retention.Sessions, o.Retention.Sessions),
		},
	}
}

// pick is the override when set (negative: none, 0), else the default
// (negative defaults count as none too).
func pick[T int | float64 | time.Duration](def, over T) T {
	v := def
	if over != 0 {
		v = over
	}
	if v < 0 {
		return 0
	}
	return v
}
