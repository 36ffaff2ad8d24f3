package overlookext

import (
	"log/slog"
	"testing"

	"go.opentelemetry.io/collector/extension"

	"github.com/overlook-dev/overlook/internal/auth"
)

// TestListenPlan: an endpoint without a host listens on loopback until a
// user exists; an explicit address is kept.
func TestListenPlan(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		users    bool
		want     string
		loopback bool
	}{
		{":8080", false, "127.0.0.1:8080", true},
		{":8080", true, ":8080", false},
		{"0.0.0.0:8080", false, "0.0.0.0:8080", false},
		{"127.0.0.1:9000", false, "127.0.0.1:9000", false},
	} {
		us, err := auth.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if tc.users {
			if _, err := us.AddUser(auth.NewUser{Email: "a@x.io", Password: "longenough", Role: auth.Admin}); err != nil {
				t.Fatal(err)
			}
		}
		cfg := createDefaultConfig()
		cfg.HTTP.NetAddr.Endpoint = tc.endpoint
		e := &Extension{cfg: cfg, set: extension.Settings{}, logger: slog.New(slog.DiscardHandler)}
		got, loop := e.listenPlan(us)
		if got != tc.want || loop != tc.loopback {
			t.Errorf("%s users=%v: %q loopback=%v; want %q %v", tc.endpoint, tc.users, got, loop, tc.want, tc.loopback)
		}
	}
}

func TestAuthConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*AuthConfig)
		ok   bool
	}{
		{"default", func(*AuthConfig) {}, true},
		{"zero session", func(c *AuthConfig) { c.SessionTTL = 0 }, false},
		{"no window", func(c *AuthConfig) { c.LoginRateLimit.Window = 0 }, false},
		{"limit off", func(c *AuthConfig) { c.LoginRateLimit = LoginRateLimit{Attempts: -1} }, true},
		{"empty key file", func(c *AuthConfig) { c.IngestionKeys = []auth.KeyConfig{{Tenant: "a"}} }, false},
		{"no sessions per user", func(c *AuthConfig) { c.MaxSessionsPerUser = 0 }, false},
		{"one session per user", func(c *AuthConfig) { c.MaxSessionsPerUser = 1 }, true},
	} {
		c := defaultAuthConfig()
		tc.mod(&c)
		if err := c.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
}
