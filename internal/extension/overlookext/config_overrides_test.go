package overlookext

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"github.com/overlook-dev/overlook/internal/telemetry"
)

// TestOverridesConfig: multitenancy::overrides is read from the config,
// validated with the collector's walk (messages name the key), and gives
// the extension a limiter only when some limit is set.
func TestOverridesConfig(t *testing.T) {
	for _, tc := range []struct {
		name        string
		raw         map[string]any
		wantErr     string
		wantLimiter bool
	}{
		{"none", map[string]any{}, "", false},
		{"defaults", map[string]any{"multitenancy": map[string]any{"overrides": map[string]any{
			"defaults": map[string]any{"ingestion": map[string]any{"spans_per_second": 10, "spans_burst": 20}, "max_active_series": 100},
			"tenants":  map[string]any{"team-a": map[string]any{"max_attributes": 16}},
		}}}, "", true},
		{"burst below rate", map[string]any{"multitenancy": map[string]any{"overrides": map[string]any{
			"defaults": map[string]any{"ingestion": map[string]any{"logs_per_second": 100, "logs_burst": 10}},
		}}}, "multitenancy::overrides::defaults::ingestion::logs_burst (10) is below logs_per_second (100)", false},
		{"bad tenant", map[string]any{"multitenancy": map[string]any{"overrides": map[string]any{
			"tenants": map[string]any{"a/b": map[string]any{"max_attributes": 1}},
		}}}, `multitenancy::overrides::tenants::a/b: tenant "a/b" is not a valid tenant name`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := createDefaultConfig()
			if err := confmap.NewFromStringMap(tc.raw).Unmarshal(cfg); err != nil {
				t.Fatal(err)
			}
			err := confmap.Validate(cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := telemetry.New()
			e := newExtension(cfg, extensiontest.NewNopSettings(Type), m)
			if got := e.Limits() != nil; got != tc.wantLimiter {
				t.Fatalf("limiter %v, want %v", got, tc.wantLimiter)
			}
			// The default tenant's counters exist at 0 once limits are set.
			if got, want := testutil.CollectAndCount(m.Tenant.Refused), map[bool]int{true: 7, false: 0}[tc.wantLimiter]; got != want {
				t.Errorf("%d refused series, want %d", got, want)
			}
			if tc.wantLimiter {
				if l := e.Limits().Limits("team-a"); l.MaxAttributes != 16 || l.Ingestion.SpansPerSecond != 10 || l.MaxActiveSeries != 100 {
					t.Errorf("team-a's limits %+v", l)
				}
			}
		})
	}
}
