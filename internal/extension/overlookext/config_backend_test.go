package overlookext

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
)

// TestBackendConfig: the default (duckdb) needs no ClickHouse keys, even
// though the collector validates the clickhouse block recursively;
// backend clickhouse needs an endpoint; an unknown backend is named.
func TestBackendConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string // "" valid
	}{
		{"default duckdb", func(*Config) {}, ""},
		{"clickhouse without endpoint", func(c *Config) { c.Storage.Backend = "clickhouse" }, "storage::clickhouse::endpoint is empty"},
		{"clickhouse", func(c *Config) {
			c.Storage.Backend = "clickhouse"
			c.Storage.ClickHouse.Endpoint = "http://ch:8123"
		}, ""},
		{"bad scheme", func(c *Config) {
			c.Storage.Backend = "clickhouse"
			c.Storage.ClickHouse.Endpoint = "ftp://ch:21"
		}, "is not http, https or tcp"},
		{"unknown backend", func(c *Config) { c.Storage.Backend = "postgres" }, `storage::backend "postgres" is unknown: use one of clickhouse, duckdb`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := createDefaultConfig()
			tc.mod(c)
			err := confmap.Validate(c)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("invalid: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
