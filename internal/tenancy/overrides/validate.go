package overrides

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/tenancy"
)

// KeyPrefix is where Config lives below extensions::overlook.
const KeyPrefix = "multitenancy::overrides"

// Validate says which key is wrong and how to fix it, naming each key from
// the extension down ("multitenancy::overrides::defaults::max_attributes":
// the collector prefixes only the first line of a joined error with the
// path it walked, so every line names its key in full): negative values in
// defaults (negative means "no limit" only in a tenant's override), rates
// that are not finite, a burst without its rate or below it (in the
// effective limits of every tenant), and tenant names that are not valid
// tenant names.
func (c Config) Validate() error {
	var errs []error
	errs = append(errs, c.Defaults.validateDefaults(KeyPrefix+"::defaults")...)
	for _, name := range slices.Sorted(maps.Keys(c.Tenants)) {
		prefix := KeyPrefix + "::tenants::" + name
		if err := tenancy.Validate(name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", prefix, err))
			continue
		}
		errs = append(errs, c.Tenants[name].validateOverride(prefix)...)
		errs = append(errs, c.For(name).validateEffective(prefix, c.Tenants[name])...)
	}
	errs = append(errs, c.Defaults.validateEffective(KeyPrefix+"::defaults", c.Defaults)...)
	return errors.Join(errs...)
}

// field is one limit under its key, for the checks shared by every field.
type field struct {
	key string
	v   float64
}

func (l Limits) fields() []field {
	in := l.Ingestion
	return []field{
		{"ingestion::spans_per_second", in.SpansPerSecond}, {"ingestion::spans_burst", float64(in.SpansBurst)},
		{"ingestion::logs_per_second", in.LogsPerSecond}, {"ingestion::logs_burst", float64(in.LogsBurst)},
		{"ingestion::samples_per_second", in.SamplesPerSecond}, {"ingestion::samples_burst", float64(in.SamplesBurst)},
		{"max_active_series", float64(l.MaxActiveSeries)}, {"max_attributes", float64(l.MaxAttributes)},
		{"retention::logs", float64(l.Retention.Logs)}, {"retention::traces", float64(l.Retention.Traces)},
		{"retention::metrics", float64(l.Retention.Metrics)}, {"retention::sessions", float64(l.Retention.Sessions)},
	}
}

func (l Limits) validateDefaults(prefix string) []error {
	var errs []error
	for _, f := range l.fields() {
		switch {
		case math.IsNaN(f.v) || math.IsInf(f.v, 0):
			errs = append(errs, fmt.Errorf("%s::%s is %v: use a finite number, or 0 for no limit", prefix, f.key, f.v))
		case f.v < 0:
			errs = append(errs, fmt.Errorf("%s::%s is negative (%s): use 0 for no limit or a positive value (negative values mean \"no limit\" only in a tenant's override)",
				prefix, f.key, show(f)))
		}
	}
	return errs
}

func (l Limits) validateOverride(prefix string) []error {
	var errs []error
	for _, f := range l.fields() {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			errs = append(errs, fmt.Errorf("%s::%s is %v: use a finite number (0: as defaults, negative: no limit)", prefix, f.key, f.v))
		}
	}
	return errs
}

// validateEffective checks the limits a tenant ends up with: a burst set
// in own (the tenant's override, or the defaults) needs a rate, and a burst
// must hold at least one second of its rate. (A tenant that removes the
// rate keeps the default burst, unused: that is fine.)
func (l Limits) validateEffective(prefix string, own Limits) []error {
	var errs []error
	in, o := l.Ingestion, own.Ingestion
	for _, s := range []struct {
		name     string
		rate     float64
		burst    int
		ownBurst int
	}{
		{"spans", in.SpansPerSecond, in.SpansBurst, o.SpansBurst},
		{"logs", in.LogsPerSecond, in.LogsBurst, o.LogsBurst},
		{"samples", in.SamplesPerSecond, in.SamplesBurst, o.SamplesBurst},
	} {
		switch {
		case s.rate <= 0 && s.ownBurst > 0:
			errs = append(errs, fmt.Errorf("%s::ingestion::%s_burst is %d but %s_per_second is not set: a burst needs its rate; set %s_per_second or remove %s_burst",
				prefix, s.name, s.burst, s.name, s.name, s.name))
		case s.rate > 0 && s.burst > 0 && float64(s.burst) < s.rate:
			errs = append(errs, fmt.Errorf("%s::ingestion::%s_burst (%d) is below %s_per_second (%g): the burst must hold at least one second of the rate; raise %s_burst to %d or more (or leave it 0: the rate, rounded up)",
				prefix, s.name, s.burst, s.name, s.rate, s.name, int(math.Ceil(s.rate))))
		}
	}
	return errs
}

// show formats a field's value in its own unit.
func show(f field) string {
	if strings.HasPrefix(f.key, "retention::") {
		return time.Duration(f.v).String()
	}
	return fmt.Sprintf("%g", f.v)
}
