package auth

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "overlook_session"

// GateOptions configures the Gate. Store, Sessions, Audit, Limiter and
// Logger are required.
type GateOptions struct {
	Store    *Store
	Sessions *Sessions
	Audit    *Audit
	Limiter  *LoginLimiter
	Logger   *slog.Logger
	// Keys guard Prometheus remote write (nil: no key needed).
	Keys *IngestionKeys
	// TrustedOrigins may send state-changing requests besides the
	// server's own origin (the API's http::cors::allowed_origins).
	TrustedOrigins []string
	// ScriptHashes are the CSP hashes ('sha256-...') of the UI's inline
	// scripts.
	ScriptHashes []string
	// ReadPOSTs are POST paths that only read (search, chart, ...): they
	// need the viewer role and any content type, as before.
	ReadPOSTs []string
	// OnUserAdded is called after a user was created through the API.
	OnUserAdded func()
}

// Gate is the HTTP handler in front of the API and UI: security headers
// on every answer, the same-origin and content-type checks on
// state-changing requests, authentication (session cookie or API token)
// once a user exists, role checks, and the login/setup/users/tokens/audit
// endpoints.
type Gate struct {
	o    GateOptions
	next http.Handler
	mux  *http.ServeMux
	csp  string
}

// NewGate returns the gate in front of next.
func NewGate(o GateOptions, next http.Handler) *Gate {
	g := &Gate{o: o, next: next, mux: http.NewServeMux()}
	g.csp = contentSecurityPolicy(o.ScriptHashes)
	g.routes()
	return g
}

func contentSecurityPolicy(hashes []string) string {
	script := "'self'"
	for _, h := range hashes {
		script += " '" + h + "'"
	}
	// Mantine and ECharts set style attributes: 'unsafe-inline' styles
	// (not scripts). Images may be data:/blob: (charts, session replay).
	return "default-src 'self'; script-src " + script + "; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

// SetSecurityHeaders sets the headers every answer carries.
func (g *Gate) SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", g.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// ServeHTTP implements http.Handler.
func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.SetSecurityHeaders(w.Header())
	if r.TLS != nil {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
	}
	if err := g.o.Store.Refresh(); err != nil {
		g.o.Logger.Error("re-read the users file", "err", err)
		writeErr(w, r, http.StatusServiceUnavailable, "the users file cannot be read: "+err.Error())
		return
	}
	path := r.URL.Path
	if path == "/prometheus/api/v1/write" {
		g.serveIngest(w, r)
		return
	}
	if unsafeMethod(r.Method) {
		if msg := g.crossSite(r); msg != "" {
			writeErr(w, r, http.StatusForbidden, msg)
			return
		}
		if g.needsJSON(r) && !isJSON(r) {
			writeErr(w, r, http.StatusUnsupportedMediaType, fmt.Sprintf(
				"%s %s needs Content-Type: application/json (got %q): state-changing requests must be JSON, so a cross-site form cannot send them",
				r.Method, path, r.Header.Get("Content-Type")))
			return
		}
	}
	if g.public(r) {
		g.serve(w, r, Principal{Kind: "anonymous"})
		return
	}
	p, status, msg := g.authenticate(r)
	if status != 0 {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="overlook"`)
		}
		writeErr(w, r, status, msg)
		return
	}
	if need := g.roleFor(r); !p.Role.Allows(need) {
		writeErr(w, r, http.StatusForbidden, fmt.Sprintf("%s %s needs the %s role; %s has the %s role (an admin can change it)",
			r.Method, path, need, p.Actor(), p.Role))
		return
	}
	g.serve(w, r, p)
}

func (g *Gate) serve(w http.ResponseWriter, r *http.Request, p Principal) {
	r = r.WithContext(WithPrincipal(r.Context(), p))
	if _, pattern := g.mux.Handler(r); pattern != "" {
		g.mux.ServeHTTP(w, r) // sets the path values ({id})
		return
	}
	g.next.ServeHTTP(w, r)
}

// serveIngest guards Prometheus remote write with the ingestion keys, as
// OTLP is (it is ingest, not the API: users and tokens do not apply).
func (g *Gate) serveIngest(w http.ResponseWriter, r *http.Request) {
	p := Principal{Kind: "anonymous"}
	if g.o.Keys != nil {
		tenant, err := g.o.Keys.Check(r.Header.Get("Authorization"))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="overlook"`)
			writeErr(w, r, http.StatusUnauthorized, err.Error())
			return
		}
		p = Principal{Kind: "ingest", Tenant: tenant}
	}
	g.next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// reloadPath is Prometheus's lifecycle reload (POST or PUT, no body): it
// changes state (editor role, same-origin) but sends no JSON.
const reloadPath = "/prometheus/-/reload"

func (g *Gate) readPOST(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.Path == reloadPath {
		return false
	}
	if strings.HasPrefix(r.URL.Path, "/prometheus/") || strings.HasPrefix(r.URL.Path, "/tempo/") {
		return true // PromQL over POST (Grafana), form-encoded
	}
	return slices.Contains(g.o.ReadPOSTs, r.URL.Path)
}

// needsJSON: every state-changing request with a body; the read-only
// POSTs keep accepting what they accepted before (curl -d).
func (g *Gate) needsJSON(r *http.Request) bool {
	return r.Method != http.MethodDelete && !g.readPOST(r) && r.URL.Path != reloadPath
}

// crossSite explains why a state-changing request from another site is
// refused ("" if it is not). Browsers send Sec-Fetch-Site and Origin on
// such requests; clients that are not browsers send neither and are not
// subject to CSRF.
func (g *Gate) crossSite(r *http.Request) string {
	origin := r.Header.Get("Origin")
	if origin != "" && slices.Contains(g.o.TrustedOrigins, origin) {
		return ""
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin":
		return "" // set by the browser; a page cannot forge it
	case "cross-site", "same-site":
		return fmt.Sprintf("cross-site request refused: %s %s from origin %q; only this server's own pages (or origins listed in extensions::overlook::http::cors::allowed_origins) may change state",
			r.Method, r.URL.Path, origin)
	}
	if origin == "" {
		return ""
	}
	if origin == "null" {
		return "cross-site request refused: the Origin is null (a sandboxed or file: page)"
	}
	u, err := url.Parse(origin)
	if err != nil || !strings.EqualFold(u.Host, r.Host) {
		return fmt.Sprintf("cross-site request refused: %s %s from origin %q, but this server is %q; only its own pages (or origins listed in extensions::overlook::http::cors::allowed_origins) may change state",
			r.Method, r.URL.Path, origin, r.Host)
	}
	return ""
}

// public: reachable without logging in.
func (g *Gate) public(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == "/ready" || p == "/healthz":
		return true
	case p == "/api/login" || p == "/api/setup" || p == "/api/auth/status":
		return true
	case strings.HasPrefix(p, "/api/") || p == "/api" || strings.HasPrefix(p, "/prometheus/") || strings.HasPrefix(p, "/tempo/") || p == "/metrics":
		return false
	}
	// The app shell and its assets: they hold no data; the app asks
	// /api/auth/status and shows the login or first-run page.
	return r.Method == http.MethodGet || r.Method == http.MethodHead
}

// authenticate finds the principal: everyone is an anonymous admin until
// a user exists; then an API token or a session is needed.
func (g *Gate) authenticate(r *http.Request) (Principal, int, string) {
	if !g.o.Store.HasUsers() {
		return Principal{Kind: "anonymous", Role: Admin}, 0, ""
	}
	if authz := r.Header.Get("Authorization"); authz != "" {
		secret := BearerOrBare(authz)
		t, ok := g.o.Store.TokenBySecret(secret)
		if !ok {
			return Principal{}, http.StatusUnauthorized, "the API token sent (Authorization: Bearer ...) is unknown or revoked: create one with POST /api/tokens (admin) or in the UI under Admin"
		}
		return Principal{Kind: "token", ID: t.ID, Name: t.Name, Role: t.Role, Tenant: t.Tenant}, 0, ""
	}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if uid, ok := g.o.Sessions.Lookup(c.Value); ok {
			if u, ok := g.o.Store.UserByID(uid); ok {
				return Principal{Kind: "user", ID: u.ID, Name: u.Email, Role: u.Role, Tenant: u.Tenant}, 0, ""
			}
		}
		return Principal{}, http.StatusUnauthorized, "your session has expired or ended: log in again (POST /api/login)"
	}
	return Principal{}, http.StatusUnauthorized, "authentication required: log in (POST /api/login, or the UI) or send an API token as Authorization: Bearer <token>"
}

// roleFor is the role a request needs.
func (g *Gate) roleFor(r *http.Request) Role {
	p := r.URL.Path
	for _, admin := range []string{"/api/users", "/api/tokens", "/api/audit", "/api/keys"} {
		if p == admin || strings.HasPrefix(p, admin+"/") {
			return Admin
		}
	}
	if unsafeMethod(r.Method) && !g.readPOST(r) && p != "/api/logout" {
		return Editor
	}
	return Viewer
}

// ClientIP is the request's peer address (without port).
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeErr answers {"error": msg} (the native API's shape; Prometheus
// clients also get status and errorType).
func writeErr(w http.ResponseWriter, r *http.Request, code int, msg string) {
	body := map[string]string{"error": msg}
	if strings.HasPrefix(r.URL.Path, "/prometheus/") {
		body["status"], body["errorType"] = "error", strings.ToLower(strings.ReplaceAll(http.StatusText(code), " ", "_"))
	}
	writeJSONAnswer(w, code, body)
}

func writeJSONAnswer(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

func retryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
}
