package overlookext

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension"

	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/tenancy"
)

// TestTenantRegistry: concurrent first uses of a tenant open one stack;
// past max_tenants a new tenant is refused with ErrTooManyTenants; a
// tenant's data lives in <directory>/tenants/<name>; names lists the
// default, open and on-disk tenants.
func TestTenantRegistry(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.Storage.Directory = t.TempDir()
	cfg.Multitenancy.Enabled, cfg.Multitenancy.MaxTenants = true, 2
	if err := os.MkdirAll(filepath.Join(cfg.Storage.Directory, "tenants", "old"), 0o755); err != nil {
		t.Fatal(err)
	}
	e := &Extension{cfg: cfg, set: extension.Settings{TelemetrySettings: componenttest.NewNopTelemetrySettings()},
		metrics: telemetry.New(), logger: slog.New(slog.DiscardHandler)}
	reg := newTenantRegistry(e)
	e.tenants = reg
	defer func() {
		for _, s := range reg.stopAll() {
			if err := s.store.Close(); err != nil {
				t.Error(err)
			}
		}
	}()
	ctx := context.Background()
	if _, err := reg.get(ctx, tenancy.Default); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stacks := make([]*tenantStack, 8)
	for i := range stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := reg.get(ctx, "team-a")
			if err != nil {
				t.Error(err)
			}
			stacks[i] = s
		}()
	}
	wg.Wait()
	for _, s := range stacks[1:] {
		if s != stacks[0] {
			t.Fatal("two stacks for one tenant")
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.Storage.Directory, "tenants", "team-a", "meta")); err != nil {
		t.Errorf("team-a's directory: %v", err)
	}
	if _, err := reg.get(ctx, "team-b"); !errors.Is(err, ErrTooManyTenants) {
		t.Errorf("a third tenant with max_tenants 2: %v", err)
	}
	if got := reg.names(); !slices.Equal(got, []string{"default", "team-a", "old"}) {
		t.Errorf("names %v", got)
	}
	st, err := e.StoreFor(ctx, "team-a")
	if err != nil || st != stacks[0].store {
		t.Errorf("StoreFor: %v", err)
	}
}
