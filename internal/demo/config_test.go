package demo

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string // substring of the error; "" for valid
	}{
		{"default", func(*Config) {}, ""},
		{"fixed now", func(c *Config) { c.Now = time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC) }, ""},
		{"negative backfill", func(c *Config) { c.Backfill = -time.Hour }, "demo::backfill"},
		{"backfill over a week", func(c *Config) { c.Backfill = 8 * 24 * time.Hour }, "demo::backfill"},
		{"rate too high", func(c *Config) { c.Rate = maxRate + 1 }, "demo::rate"},
		{"negative backfill rate", func(c *Config) { c.BackfillRate = -1 }, "demo::backfill_rate"},
		{"sub-second interval", func(c *Config) { c.MetricsInterval = 500 * time.Millisecond }, "demo::metrics_interval"},
		{"negative incident", func(c *Config) { c.Incident.Full = -time.Minute }, "demo::incident"},
		{"bad endpoint", func(c *Config) { c.Endpoint = "localhost" }, "demo::endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.mod(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}

func TestFromConf(t *testing.T) {
	for _, tc := range []struct {
		name         string
		conf         map[string]any
		wantEndpoint string
		wantErr      string
		wantEnabled  bool
	}{
		{"disabled by default", map[string]any{}, "", "", false},
		{"receiver on all interfaces", map[string]any{
			"extensions": map[string]any{"overlook": map[string]any{"demo": map[string]any{"enabled": true, "seed": 7}}},
			"receivers":  map[string]any{"otlp": map[string]any{"protocols": map[string]any{"grpc": map[string]any{"endpoint": "0.0.0.0:4317"}}}},
		}, "127.0.0.1:4317", "", true},
		{"receiver on loopback port", map[string]any{
			"extensions": map[string]any{"overlook": map[string]any{"demo": map[string]any{"enabled": true}}},
			"receivers":  map[string]any{"otlp": map[string]any{"protocols": map[string]any{"grpc": map[string]any{"endpoint": "127.0.0.1:51234"}}}},
		}, "127.0.0.1:51234", "", true},
		{"explicit endpoint wins", map[string]any{
			"extensions": map[string]any{"overlook": map[string]any{"demo": map[string]any{"enabled": true, "endpoint": "collector:4317"}}},
		}, "collector:4317", "", true},
		{"no grpc receiver", map[string]any{
			"extensions": map[string]any{"overlook": map[string]any{"demo": map[string]any{"enabled": true}}},
		}, "", "receivers::otlp::protocols::grpc::endpoint", true},
		{"invalid value", map[string]any{
			"extensions": map[string]any{"overlook": map[string]any{"demo": map[string]any{"enabled": true, "now": "noon"}}},
		}, "", "extensions::overlook::demo: ", true},
		{"now as a string", map[string]any{
			"extensions": map[string]any{"overlook": map[string]any{"demo": map[string]any{"enabled": true, "endpoint": "h:1", "now": "2026-01-02T15:04:05Z"}}},
		}, "h:1", "", true},
		{"now as a YAML time", map[string]any{
			"extensions": map[string]any{"overlook": map[string]any{"demo": map[string]any{"enabled": true, "endpoint": "h:1", "now": time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)}}},
		}, "h:1", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := FromConf(confmap.NewFromStringMap(tc.conf))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("FromConf = %v, want an error naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Enabled != tc.wantEnabled || cfg.Endpoint != tc.wantEndpoint {
				t.Fatalf("enabled %v endpoint %q, want %v %q", cfg.Enabled, cfg.Endpoint, tc.wantEnabled, tc.wantEndpoint)
			}
			if strings.HasPrefix(tc.name, "now as") && !cfg.Now.Equal(time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)) {
				t.Fatalf("now = %s, want 2026-01-02T15:04:05Z", cfg.Now)
			}
			if cfg.Backfill != DefaultConfig().Backfill {
				t.Fatalf("unset keys lost their defaults: backfill %s", cfg.Backfill)
			}
		})
	}
}
