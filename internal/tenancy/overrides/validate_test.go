package overrides

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestValidate: each mistake is reported with its full key and the fix.
func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want []string // substrings of the error; none: valid
	}{
		{"empty", Config{}, nil},
		{"valid", Config{
			Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: 1000, SpansBurst: 2000, SamplesPerSecond: 10}, MaxActiveSeries: 100,
				MaxAttributes: 64, Retention: Retention{Traces: time.Hour}},
			Tenants: map[string]Limits{"team-a": {Ingestion: Ingestion{SpansPerSecond: -1}, MaxAttributes: -1},
				"team.b": {Ingestion: Ingestion{SpansPerSecond: 1500}}},
		}, nil},
		{"negative default", Config{Defaults: Limits{Ingestion: Ingestion{LogsPerSecond: -5}, MaxActiveSeries: -1}},
			[]string{"defaults::ingestion::logs_per_second is negative (-5)",
				"defaults::max_active_series is negative"}},
		{"negative default retention", Config{Defaults: Limits{Retention: Retention{Logs: -time.Hour}}},
			[]string{"defaults::retention::logs is negative (-1h0m0s)"}},
		{"not finite", Config{Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: math.Inf(1)}},
			Tenants: map[string]Limits{"a": {Ingestion: Ingestion{LogsPerSecond: math.NaN()}}}},
			[]string{"defaults::ingestion::spans_per_second is +Inf", "tenants::a::ingestion::logs_per_second is NaN"}},
		{"burst below rate", Config{Defaults: Limits{Ingestion: Ingestion{SpansPerSecond: 100, SpansBurst: 50}}},
			[]string{"defaults::ingestion::spans_burst (50) is below spans_per_second (100)", "raise spans_burst to 100"}},
		{"burst below an overridden rate", Config{Defaults: Limits{Ingestion: Ingestion{SamplesPerSecond: 10, SamplesBurst: 20}},
			Tenants: map[string]Limits{"big": {Ingestion: Ingestion{SamplesPerSecond: 500}}}},
			[]string{"tenants::big::ingestion::samples_burst (20) is below samples_per_second (500)"}},
		{"burst without rate", Config{Defaults: Limits{Ingestion: Ingestion{LogsBurst: 10}}},
			[]string{"defaults::ingestion::logs_burst is 10 but logs_per_second is not set"}},
		{"burst set where a tenant removes the rate", Config{Defaults: Limits{Ingestion: Ingestion{LogsPerSecond: 5, LogsBurst: 10}},
			Tenants: map[string]Limits{"x": {Ingestion: Ingestion{LogsPerSecond: -1, LogsBurst: 20}}}},
			[]string{"tenants::x::ingestion::logs_burst is 20 but logs_per_second is not set"}},
		{"bad tenant name", Config{Tenants: map[string]Limits{"../etc": {}, "": {}}},
			[]string{`tenants::../etc: tenant "../etc" is not a valid tenant name`, `tenants::: tenant "" is not a valid`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("valid config refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}
