package overlookext

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/tenancy"
)

// TenantsPath lists the tenants the caller may read (the UI's tenant
// picker).
const TenantsPath = "/api/tenants"

// remoteWritePath is Prometheus remote write in: ingest, whose tenant is
// its ingestion key's or the header's.
const remoteWritePath = PrometheusPrefix + "/api/v1/write"

// dispatcher sits behind the auth gate and sends each request to its
// tenant's stack. Global routes (health, own metrics, the UI's assets) go
// to the default tenant's stack; the gate serves login, users, tokens and
// audit itself.
type dispatcher struct {
	e   *Extension
	reg *tenantRegistry
	mt  MultitenancyConfig
}

func newDispatcher(e *Extension, reg *tenantRegistry) *dispatcher {
	return &dispatcher{e: e, reg: reg, mt: e.cfg.Multitenancy}
}

// global: served the same for every tenant (by the default stack).
func global(path string) bool {
	switch {
	case path == "/ready" || path == "/healthz" || path == "/metrics":
		return true
	case path == "/api" || strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, PrometheusPrefix+"/") ||
		path == PrometheusPrefix || strings.HasPrefix(path, "/tempo/") || path == "/tempo":
		return false
	}
	return true // the app shell and its assets
}

func (d *dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == TenantsPath {
		d.serveTenants(w, r)
		return
	}
	if !d.mt.Enabled || global(r.URL.Path) {
		d.serveTenant(w, r, tenancy.Default)
		return
	}
	tenants, code, msg := d.resolve(r)
	if code != 0 {
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="overlook"`)
		}
		writeTenantErr(w, r, code, msg)
		return
	}
	if len(tenants) > 1 {
		d.serveCross(w, r, tenants)
		return
	}
	d.serveTenant(w, r, tenants[0])
}

// serveTenant serves r from tenant's stack, opening it if needed.
func (d *dispatcher) serveTenant(w http.ResponseWriter, r *http.Request, tenant string) {
	s, err := d.reg.get(r.Context(), tenant)
	if err != nil {
		code := http.StatusServiceUnavailable
		if errors.Is(err, ErrTooManyTenants) {
			code = http.StatusTooManyRequests
		}
		d.e.logger.Warn("tenant unavailable", "tenant", tenant, "err", err)
		writeTenantErr(w, r, code, err.Error())
		return
	}
	s.handler.ServeHTTP(w, r.WithContext(tenancy.With(r.Context(), tenant)))
}

// resolve finds the tenants a request reads (or, for remote write,
// writes), or the status and message refusing it.
//
//   - Ingest (remote write): the ingestion key's tenant; a different
//     header is refused (403); else the header; else 401.
//   - Reads: a user or token bound to a tenant reads that tenant; asking
//     for another with the header is refused (403) unless it is an
//     admin's. Others (unbound users and tokens, admins, and everyone
//     while no user exists) choose with the header; unbound users and
//     tokens without it read the default tenant; with no user at all, a
//     read without the header is refused (401).
//   - Several tenants ("a|b") only for admins with cross_tenant_reads.
func (d *dispatcher) resolve(r *http.Request) ([]string, int, string) {
	p := auth.PrincipalFrom(r.Context())
	hname := d.mt.header()
	hv := strings.TrimSpace(r.Header.Get(hname))
	var tenants []string
	if hv != "" {
		var err error
		if tenants, err = tenancy.Split(hv); err != nil {
			return nil, http.StatusBadRequest, fmt.Sprintf("%s: %v", hname, err)
		}
	}
	if r.URL.Path == remoteWritePath {
		return d.resolveIngest(p, hname, tenants)
	}
	bound := p.Tenant != "" && p.Role != auth.Admin
	switch {
	case bound && tenants == nil:
		return []string{p.Tenant}, 0, ""
	case bound && (len(tenants) > 1 || tenants[0] != p.Tenant):
		return nil, http.StatusForbidden, fmt.Sprintf("%s belongs to tenant %q and cannot read tenant %q (%s); only admins may choose another tenant",
			p.Actor(), p.Tenant, hv, hname)
	case tenants == nil && (p.Kind == "user" || p.Kind == "token"):
		if p.Tenant != "" {
			return []string{p.Tenant}, 0, ""
		}
		return []string{tenancy.Default}, 0, ""
	case tenants == nil:
		return nil, http.StatusUnauthorized, fmt.Sprintf("multitenancy is on: set the %s header to the tenant to read (or log in as a user of a tenant)", hname)
	}
	if len(tenants) > 1 {
		if !d.mt.CrossTenantReads {
			return nil, http.StatusBadRequest, fmt.Sprintf("cross-tenant reads (%s: %q) are off: set extensions::overlook::multitenancy::cross_tenant_reads: true (admins only), or name one tenant", hname, hv)
		}
		if p.Role != auth.Admin {
			return nil, http.StatusForbidden, fmt.Sprintf("cross-tenant reads (%s: %q) are for admins only; %s has the %s role", hname, hv, p.Actor(), p.Role)
		}
	}
	return tenants, 0, ""
}

// resolveIngest is remote write's tenant: its key's, else the header's.
func (d *dispatcher) resolveIngest(p auth.Principal, hname string, tenants []string) ([]string, int, string) {
	if len(tenants) > 1 {
		return nil, http.StatusBadRequest, fmt.Sprintf("%s names several tenants: ingest writes to exactly one", hname)
	}
	if p.Kind == "ingest" && p.Tenant != "" {
		if tenants != nil && tenants[0] != p.Tenant {
			return nil, http.StatusForbidden, fmt.Sprintf("the ingestion key sent belongs to tenant %q, but %s names %q: send the header of the key's tenant or none",
				p.Tenant, hname, tenants[0])
		}
		return []string{p.Tenant}, 0, ""
	}
	if tenants == nil {
		return nil, http.StatusUnauthorized, fmt.Sprintf("multitenancy is on: set the %s header to the tenant to write to (or use an ingestion key of a tenant)", hname)
	}
	return tenants, 0, ""
}

// tenantsAnswer is GET /api/tenants.
type tenantsAnswer struct {
	Enabled bool     `json:"enabled"`
	Header  string   `json:"header"`
	Tenants []string `json:"tenants"`
	// Current is the tenant the request resolves to ("" if none).
	Current string `json:"current"`
}

func (d *dispatcher) serveTenants(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		writeTenantErr(w, r, http.StatusMethodNotAllowed, "use GET "+TenantsPath)
		return
	}
	ans := tenantsAnswer{Enabled: d.mt.Enabled, Header: d.mt.header()}
	if !d.mt.Enabled {
		ans.Tenants, ans.Current = []string{tenancy.Default}, tenancy.Default
	} else {
		p := auth.PrincipalFrom(r.Context())
		if p.Tenant != "" && p.Role != auth.Admin {
			ans.Tenants = []string{p.Tenant}
		} else {
			ans.Tenants = d.reg.names()
		}
		if ts, code, _ := d.resolve(r); code == 0 {
			ans.Current = strings.Join(ts, tenancy.CrossTenantSeparator)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(ans) // the client went away: nothing to do
}

// writeTenantErr answers {"error": msg} (Prometheus clients also get
// status and errorType, as from the gate).
func writeTenantErr(w http.ResponseWriter, r *http.Request, code int, msg string) {
	body := map[string]string{"error": msg}
	if strings.HasPrefix(r.URL.Path, PrometheusPrefix+"/") {
		body["status"], body["errorType"] = "error", strings.ToLower(strings.ReplaceAll(http.StatusText(code), " ", "_"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body) // the client went away: nothing to do
}
