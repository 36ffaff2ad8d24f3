package overlookext

import (
	"errors"
	"fmt"
	"time"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/tenancy"
)

// AuthConfig is access control (extensions::overlook::auth;
// docs/security.md). Users and API tokens are not configured here: they
// live in the data directory (`overlook user add`, the first-run page,
// /api/users, /api/tokens).
type AuthConfig struct {
	// IngestionKeys: when any is set, OTLP (gRPC and HTTP, the browser
	// endpoint included) and Prometheus remote write need one of these
	// keys (`Authorization: Bearer <key>` or HyperDX's bare
	// `authorization: <key>`), else 401 / Unauthenticated.
	IngestionKeys []auth.KeyConfig `mapstructure:"ingestion_keys"`
	// SessionTTL is how long a login lasts. Default 12h.
	SessionTTL time.Duration `mapstructure:"session_ttl"`
	// LoginRateLimit bounds failed logins per client address and email.
	LoginRateLimit LoginRateLimit `mapstructure:"login_rate_limit"`
	// MaxSessionsPerUser bounds one user's live login sessions (browsers,
	// devices); a login beyond it ends that user's oldest session.
	// Default 20.
	MaxSessionsPerUser int `mapstructure:"max_sessions_per_user"`
}

// LoginRateLimit: after Attempts failed logins within Window, the next
// attempts are answered 429 with Retry-After until the oldest failure is
// Window old. Defaults 5 and 5m; attempts -1 turns the limit off.
type LoginRateLimit struct {
	Attempts int           `mapstructure:"attempts"`
	Window   time.Duration `mapstructure:"window"`
}

func defaultAuthConfig() AuthConfig {
	return AuthConfig{SessionTTL: 12 * time.Hour, LoginRateLimit: LoginRateLimit{Attempts: 5, Window: 5 * time.Minute},
		MaxSessionsPerUser: auth.DefaultMaxSessionsPerUser}
}

// Validate checks the auth settings.
func (c AuthConfig) Validate() error {
	var errs []error
	if c.SessionTTL <= 0 {
		errs = append(errs, fmt.Errorf("auth::session_ttl must be positive (got %s), e.g. 12h", c.SessionTTL))
	}
	if c.MaxSessionsPerUser < 1 {
		errs = append(errs, fmt.Errorf("auth::max_sessions_per_user must be at least 1 (got %d), e.g. %d", c.MaxSessionsPerUser, auth.DefaultMaxSessionsPerUser))
	}
	if c.LoginRateLimit.Attempts > 0 && c.LoginRateLimit.Window <= 0 {
		errs = append(errs, fmt.Errorf("auth::login_rate_limit::window must be positive (got %s), e.g. 5m", c.LoginRateLimit.Window))
	}
	for i, k := range c.IngestionKeys {
		if k.KeyFile == "" {
			errs = append(errs, fmt.Errorf("auth::ingestion_keys[%d]::key_file is empty: name a file holding the key (e.g. created with `openssl rand -hex 32`)", i))
		}
		if k.Tenant != "" {
			if err := tenancy.Validate(k.Tenant); err != nil {
				errs = append(errs, fmt.Errorf("auth::ingestion_keys[%d]::tenant: %w", i, err))
			}
		}
	}
	return errors.Join(errs...)
}
