package overlookext

import (
	"errors"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// MultitenancyConfig is extensions::overlook::multitenancy
// (docs/security.md, "Tenancy"). Off by default: one implicit tenant,
// tenancy.Default, as Tempo and Loki do.
type MultitenancyConfig struct {
	// Enabled: every ingest request and every read names its tenant (the
	// header, gRPC metadata, its ingestion key, or its user/token), else
	// it is refused with 401 / Unauthenticated.
	Enabled bool `mapstructure:"enabled"`
	// Header names the tenant of a request (HTTP header; on gRPC the
	// metadata key of the same name in lower case). Default X-Scope-OrgID.
	Header string `mapstructure:"header"`
	// CrossTenantReads lets admins read several tenants at once ("a|b"),
	// where that is implemented (Tempo trace by ID and search, native
	// search). Default false.
	CrossTenantReads bool `mapstructure:"cross_tenant_reads"`
	// MaxTenants caps the tenants open at once (each is a whole store
	// with its own memory share); past it a new tenant is refused with
	// 429 / ResourceExhausted. Default 16.
	MaxTenants int `mapstructure:"max_tenants"`
	// Overrides are the per-tenant limits (retention here; rates, series
	// and attributes by the limiter).
	Overrides overrides.Config `mapstructure:"overrides"`
}

// DefaultTenantHeader is the header naming a request's tenant (Tempo's,
// Loki's, Mimir's).
const DefaultTenantHeader = "X-Scope-OrgID"

const defaultMaxTenants = 16

// maxTenantsLimit bounds max_tenants: every open tenant holds a store.
const maxTenantsLimit = 1024

func defaultMultitenancyConfig() MultitenancyConfig {
	return MultitenancyConfig{Header: DefaultTenantHeader, MaxTenants: defaultMaxTenants}
}

// header is the configured header as written (default X-Scope-OrgID);
// lookups canonicalise it.
func (c MultitenancyConfig) header() string {
	if strings.TrimSpace(c.Header) == "" {
		return DefaultTenantHeader
	}
	return strings.TrimSpace(c.Header)
}

// grpcKey is the gRPC metadata key of the header (lower case).
func (c MultitenancyConfig) grpcKey() string { return strings.ToLower(c.header()) }

// maxTenants is MaxTenants with its default; 1 with tenancy off.
func (c MultitenancyConfig) maxTenants() int {
	switch {
	case !c.Enabled:
		return 1
	case c.MaxTenants <= 0:
		return defaultMaxTenants
	}
	return c.MaxTenants
}

// Validate checks the multitenancy settings.
func (c MultitenancyConfig) Validate() error {
	var errs []error
	if h := strings.TrimSpace(c.Header); h != "" {
		for _, r := range h {
			if !(r == '-' || r == '_' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
				errs = append(errs, fmt.Errorf("multitenancy::header %q is not an HTTP header name: use letters, digits and '-', e.g. X-Scope-OrgID", c.Header))
				break
			}
		}
	}
	if c.MaxTenants < 0 || c.MaxTenants > maxTenantsLimit {
		errs = append(errs, fmt.Errorf("multitenancy::max_tenants is %d: use 1 to %d (0: the default %d)", c.MaxTenants, maxTenantsLimit, defaultMaxTenants))
	}
	for name := range c.Overrides.Tenants {
		if err := tenancy.Validate(name); err != nil {
			errs = append(errs, fmt.Errorf("multitenancy::overrides::tenants: %w", err))
		}
	}
	return errors.Join(errs...)
}

// MultitenancyEnabled says whether extensions::overlook::multitenancy is
// on (the store exporter then routes resources by tenant).
func (e *Extension) MultitenancyEnabled() bool { return e.cfg.Multitenancy.Enabled }
