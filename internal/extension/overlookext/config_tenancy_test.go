package overlookext

import (
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

func TestMultitenancyValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    MultitenancyConfig
		msg  string
	}{
		{"default", defaultMultitenancyConfig(), ""},
		{"bad header", MultitenancyConfig{Header: "X Scope"}, "multitenancy::header"},
		{"negative max", MultitenancyConfig{MaxTenants: -1}, "multitenancy::max_tenants"},
		{"huge max", MultitenancyConfig{MaxTenants: 5000}, "multitenancy::max_tenants"},
		{"bad override tenant", MultitenancyConfig{Overrides: overrides.Config{Tenants: map[string]overrides.Limits{"a/b": {}}}}, "multitenancy::overrides::tenants"},
	} {
		err := tc.c.Validate()
		if tc.msg == "" && err != nil || tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestTenantStorage: the default tenant keeps the configured layout;
// others get their own directory and database; with tenancy on the memory
// totals are split across max_tenants and retention overrides apply.
func TestTenantStorage(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Storage.Directory = "/data"
	cfg.Storage.ClickHouse.Database = "otel"
	cfg.Storage.MemoryLimit = "1GiB"
	cfg.Storage.MaxPendingRows = 200000
	cfg.Storage.Parts.MaxBufferedBytes = "128MiB"
	cfg.Multitenancy.Enabled, cfg.Multitenancy.MaxTenants = true, 4
	cfg.Multitenancy.Overrides.Tenants = map[string]overrides.Limits{"team-b": {Retention: overrides.Retention{Logs: time.Hour}}}
	e := &Extension{cfg: cfg}
	def, err := e.tenantStorage("default")
	if err != nil || def.Directory != "/data" || def.ClickHouse.Database != "otel" || def.MemoryLimit != "256MiB" ||
		def.MaxPendingRows != 50000 || def.Parts.MaxBufferedBytes != "32MiB" || def.Retention.Logs != 168*time.Hour {
		t.Errorf("default: %+v %v", def, err)
	}
	b, err := e.tenantStorage("team-b")
	if err != nil || b.Directory != "/data/tenants/team-b" || b.ClickHouse.Database != "otel_team_hb" || b.Retention.Logs != time.Hour ||
		b.Retention.Traces != 168*time.Hour {
		t.Errorf("team-b: %+v %v", b, err)
	}
	cfg.Multitenancy.Enabled = false
	off, _ := e.tenantStorage("default")
	if off.MemoryLimit != "1GiB" || off.MaxPendingRows != 200000 {
		t.Errorf("tenancy off changed the store's memory: %+v", off)
	}
	for in, want := range map[string]string{"a_b": "db_a__b", "a-b": "db_a_hb", "a.b": "db_a_db", "ab": "db_ab"} {
		if got := TenantDatabase("db", in); got != want {
			t.Errorf("TenantDatabase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIngestionKeyTenantValidated(t *testing.T) {
	c := defaultAuthConfig()
	c.IngestionKeys = []auth.KeyConfig{{KeyFile: "k", Tenant: "team a"}}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "auth::ingestion_keys[0]::tenant") {
		t.Errorf("Validate: %v", err)
	}
}
