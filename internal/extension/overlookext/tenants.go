package overlookext

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/tenancy"
)

// ErrTooManyTenants: opening one more tenant would pass
// multitenancy::max_tenants.
var ErrTooManyTenants = errors.New("too many tenants")

// tenantRegistry opens tenant stacks lazily (the default tenant's at
// Start), at most max of them, and closes them all at Shutdown. Open
// stacks stay open until then.
type tenantRegistry struct {
	e   *Extension
	max int

	mu      sync.Mutex
	entries map[string]*tenantEntry
	order   []string // opening order, for stable listings
	closed  bool
}

// tenantEntry is one tenant's stack, or its opening in progress.
type tenantEntry struct {
	ready chan struct{} // closed once stack or err is set
	stack *tenantStack
	err   error
}

func newTenantRegistry(e *Extension) *tenantRegistry {
	return &tenantRegistry{e: e, max: e.cfg.Multitenancy.maxTenants(), entries: map[string]*tenantEntry{}}
}

// get returns tenant's stack, opening it on first use. Concurrent callers
// for one tenant wait for the one opening.
func (r *tenantRegistry) get(ctx context.Context, tenant string) (*tenantStack, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, store.ErrClosed
	}
	ent, ok := r.entries[tenant]
	if !ok {
		if len(r.entries) >= r.max {
			r.mu.Unlock()
			return nil, fmt.Errorf("%w: tenant %q cannot be opened, %d tenants are open already (extensions::overlook::multitenancy::max_tenants: %d); raise max_tenants (each open tenant takes a share of the memory budget) or restart to close idle ones",
				ErrTooManyTenants, tenant, r.max, r.max)
		}
		if err := tenancy.Validate(tenant); err != nil {
			r.mu.Unlock()
			return nil, err
		}
		ent = &tenantEntry{ready: make(chan struct{})}
		r.entries[tenant] = ent
		r.order = append(r.order, tenant)
		r.mu.Unlock()
		// Opening must not be cut by one request's cancellation: the
		// stack outlives it.
		ent.stack, ent.err = r.e.openTenant(context.WithoutCancel(ctx), tenant)
		if ent.err != nil {
			r.mu.Lock()
			delete(r.entries, tenant)
			r.order = slices.DeleteFunc(r.order, func(s string) bool { return s == tenant })
			r.mu.Unlock()
		} else if tenant != tenancy.Default {
			r.e.logger.Info("tenant opened", "tenant", tenant, "directory", r.e.tenantDataDir(tenant))
		}
		close(ent.ready)
		return ent.stack, ent.err
	}
	r.mu.Unlock()
	select {
	case <-ent.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return ent.stack, ent.err
}

// stacks lists the open stacks in opening order.
func (r *tenantRegistry) stacks() []*tenantStack {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*tenantStack
	for _, name := range r.order {
		ent := r.entries[name]
		select {
		case <-ent.ready:
			if ent.stack != nil {
				out = append(out, ent.stack)
			}
		default:
		}
	}
	return out
}

// names lists the tenants that are open or have data on disk, default
// first.
func (r *tenantRegistry) names() []string {
	out := []string{tenancy.Default}
	add := func(n string) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, s := range r.stacks() {
		add(s.name)
	}
	if ents, err := os.ReadDir(filepath.Join(r.e.cfg.Storage.Directory, "tenants")); err == nil {
		for _, d := range ents {
			if d.IsDir() && tenancy.Validate(d.Name()) == nil {
				add(d.Name())
			}
		}
	}
	return out
}

// close stops every stack's evaluations (alerts, rules) and marks the
// registry closed; waiting openings finish first.
func (r *tenantRegistry) stopAll() []*tenantStack {
	r.mu.Lock()
	r.closed = true
	ents := make([]*tenantEntry, 0, len(r.entries))
	for _, name := range r.order {
		ents = append(ents, r.entries[name])
	}
	r.mu.Unlock()
	var out []*tenantStack
	for _, ent := range ents {
		<-ent.ready
		if ent.stack != nil {
			ent.stack.stop()
			out = append(out, ent.stack)
		}
	}
	return out
}

// storeStats sums the open stores' sizes and reports the worst health, for
// the store gauges on /metrics.
func (r *tenantRegistry) storeSize() float64 {
	var n int64
	for _, s := range r.stacks() {
		n += s.store.Stats().DiskBytes
	}
	return float64(n)
}

func (r *tenantRegistry) storeState() telemetry.StoreState {
	out := telemetry.StoreState{Healthy: true}
	for i, s := range r.stacks() {
		st := s.store.Stats()
		if i == 0 {
			out.DiskFreeBytes, out.FileFreeBytes, out.MinFreeDiskBytes = st.DiskFreeBytes, st.FileFreeBytes, st.MinFreeDiskBytes
		}
		if st.Unhealthy != nil {
			out.Healthy = false
		}
	}
	return out
}
