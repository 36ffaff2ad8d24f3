package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxAuthBody bounds the JSON bodies of the auth endpoints.
const maxAuthBody = 64 << 10

func (g *Gate) routes() {
	g.mux.HandleFunc("GET /api/auth/status", g.handleStatus)
	g.mux.HandleFunc("POST /api/login", g.handleLogin)
	g.mux.HandleFunc("POST /api/logout", g.handleLogout)
	g.mux.HandleFunc("POST /api/setup", g.handleSetup)
	g.mux.HandleFunc("GET /api/users", g.handleUsers)
	g.mux.HandleFunc("POST /api/users", g.handleUserCreate)
	g.mux.HandleFunc("DELETE /api/users/{id}", g.handleUserDelete)
	g.mux.HandleFunc("GET /api/tokens", g.handleTokens)
	g.mux.HandleFunc("POST /api/tokens", g.handleTokenCreate)
	g.mux.HandleFunc("DELETE /api/tokens/{id}", g.handleTokenDelete)
	g.mux.HandleFunc("GET /api/audit", g.handleAudit)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAuthBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := "invalid JSON request body: " + err.Error()
		if errors.Is(err, io.EOF) {
			msg = "request body is empty: send a JSON object"
		}
		writeErr(w, r, http.StatusBadRequest, msg)
		return false
	}
	return true
}

func (g *Gate) record(r *http.Request, ev Event) {
	ev.IP = ClientIP(r)
	if err := g.o.Audit.Record(ev); err != nil {
		g.o.Logger.Error("write the audit log", "err", err, "action", ev.Action)
	}
}

type statusAnswer struct {
	// SetupRequired: no user exists; the UI shows the first-run page.
	SetupRequired bool `json:"setupRequired"`
	// Authenticated: the request carries a valid session or token (or no
	// user exists, so nothing is needed).
	Authenticated bool       `json:"authenticated"`
	Principal     *Principal `json:"principal,omitempty"`
}

func (g *Gate) handleStatus(w http.ResponseWriter, r *http.Request) {
	ans := statusAnswer{SetupRequired: !g.o.Store.HasUsers()}
	if p, status, _ := g.authenticate(r); status == 0 {
		ans.Authenticated, ans.Principal = true, &p
	}
	writeJSONAnswer(w, http.StatusOK, ans)
}

type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (g *Gate) handleLogin(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !decode(w, r, &c) {
		return
	}
	key := ClientIP(r) + "|" + strings.ToLower(strings.TrimSpace(c.Email))
	if wait := g.o.Limiter.Wait(key); wait > 0 {
		g.record(r, Event{Actor: c.Email, Action: "login", Target: c.Email, Outcome: "rate_limited"})
		retryAfter(w, wait)
		writeErr(w, r, http.StatusTooManyRequests, fmt.Sprintf("too many failed logins for %q from this address: try again in %s (extensions::overlook::auth::login_rate_limit)",
			c.Email, wait.Round(1e9)))
		return
	}
	u, ok := g.o.Store.CheckPassword(c.Email, c.Password)
	if !ok {
		g.o.Limiter.Fail(key)
		g.record(r, Event{Actor: c.Email, Action: "login", Target: c.Email, Outcome: "failed"})
		writeErr(w, r, http.StatusUnauthorized, "wrong email or password")
		return
	}
	g.o.Limiter.Succeed(key)
	if !g.startSession(w, r, u) {
		return
	}
	g.record(r, Event{Actor: u.Email, Action: "login", Target: u.Email, Outcome: "ok"})
	writeJSONAnswer(w, http.StatusOK, map[string]any{"principal": Principal{Kind: "user", ID: u.ID, Name: u.Email, Role: u.Role, Tenant: u.Tenant}})
}

func (g *Gate) startSession(w http.ResponseWriter, r *http.Request, u User) bool {
	secret, exp, err := g.o.Sessions.Create(u.ID)
	if err != nil {
		g.o.Logger.Error("create a session", "err", err)
		writeErr(w, r, http.StatusInternalServerError, "create a session: "+err.Error())
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", Expires: exp,
		MaxAge: int(g.o.Sessions.TTL().Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
	return true
}

// secure: the cookie is only sent over TLS when the request came over TLS
// (directly, or through a proxy that says so).
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (g *Gate) handleLogout(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := g.o.Sessions.Delete(c.Value); err != nil {
			// The session stays alive (and the cookie set): logging out
			// again can succeed once the disk is fixed.
			g.o.Logger.Error("end a session", "err", err)
			g.record(r, Event{Actor: p.Actor(), Action: "logout", Outcome: "failed"})
			msg := "the session could not be removed from disk (" + err.Error() + "); check the auth directory's free space and permissions, then log out again"
			if g.o.Sessions.Shared() {
				msg = "the session could not be ended in the shared session table (" + err.Error() + "); check that ClickHouse is reachable (storage::clickhouse::endpoint), then log out again"
			}
			writeErr(w, r, http.StatusInternalServerError, "cannot log out: "+msg)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: secure(r)})
	g.record(r, Event{Actor: p.Actor(), Action: "logout", Outcome: "ok"})
	writeJSONAnswer(w, http.StatusOK, map[string]string{"status": "logged out"})
}

func (g *Gate) handleSetup(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !decode(w, r, &c) {
		return
	}
	u, err := g.o.Store.AddUser(NewUser{Email: c.Email, Password: c.Password, Role: Admin, FirstOnly: true, By: "setup"})
	if err != nil {
		g.record(r, Event{Actor: "anonymous", Action: "setup", Target: c.Email, Outcome: "failed"})
		g.userErr(w, r, err)
		return
	}
	g.record(r, Event{Actor: "anonymous", Action: "setup", Target: u.Email, Outcome: "ok"})
	if g.o.OnUserAdded != nil {
		g.o.OnUserAdded()
	}
	if !g.startSession(w, r, u) {
		return
	}
	writeJSONAnswer(w, http.StatusCreated, map[string]any{"user": u})
}

func (g *Gate) userErr(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrSetupDone):
		writeErr(w, r, http.StatusConflict, "setup is done: a user exists already; log in, and ask an admin to add users")
	case errors.Is(err, ErrExists):
		writeErr(w, r, http.StatusConflict, err.Error())
	case errors.Is(err, ErrNotFound):
		writeErr(w, r, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrLastAdmin):
		writeErr(w, r, http.StatusConflict, "the last admin cannot be deleted: make another user admin first")
	case errors.Is(err, ErrBadRequest):
		writeErr(w, r, http.StatusBadRequest, err.Error())
	default:
		g.o.Logger.Error("change users", "err", err)
		writeErr(w, r, http.StatusInternalServerError, err.Error())
	}
}

func (g *Gate) handleUsers(w http.ResponseWriter, _ *http.Request) {
	writeJSONAnswer(w, http.StatusOK, map[string]any{"users": g.o.Store.Users()})
}

func (g *Gate) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Role     Role   `json:"role"`
		Tenant   string `json:"tenant"`
	}
	if !decode(w, r, &req) {
		return
	}
	p := PrincipalFrom(r.Context())
	u, err := g.o.Store.AddUser(NewUser{Email: req.Email, Password: req.Password, Role: req.Role, Tenant: req.Tenant, By: p.Actor()})
	if err != nil {
		g.record(r, Event{Actor: p.Actor(), Action: "user.create", Target: req.Email, Outcome: "failed"})
		g.userErr(w, r, err)
		return
	}
	g.record(r, Event{Actor: p.Actor(), Action: "user.create", Target: u.Email, Outcome: "ok"})
	if g.o.OnUserAdded != nil {
		g.o.OnUserAdded()
	}
	writeJSONAnswer(w, http.StatusCreated, map[string]any{"user": u})
}

func (g *Gate) handleUserDelete(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	u, err := g.o.Store.DeleteUser(r.PathValue("id"))
	if err != nil {
		g.record(r, Event{Actor: p.Actor(), Action: "user.delete", Target: r.PathValue("id"), Outcome: "failed"})
		g.userErr(w, r, err)
		return
	}
	g.record(r, Event{Actor: p.Actor(), Action: "user.delete", Target: u.Email, Outcome: "ok"})
	// The user is gone, so its sessions no longer authenticate anyone
	// (authenticate re-reads the user); a failure here only leaves dead
	// entries in the file until they expire.
	if err := g.o.Sessions.DeleteUser(u.ID); err != nil {
		g.o.Logger.Error("remove a deleted user's sessions from the sessions file", "err", err, "user", u.Email)
	}
	writeJSONAnswer(w, http.StatusOK, map[string]any{"deleted": u})
}

func (g *Gate) handleTokens(w http.ResponseWriter, _ *http.Request) {
	writeJSONAnswer(w, http.StatusOK, map[string]any{"tokens": g.o.Store.Tokens()})
}

func (g *Gate) handleTokenCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name   string `json:"name"`
		Role   Role   `json:"role"`
		Tenant string `json:"tenant"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Role == "" {
		req.Role = Viewer
	}
	p := PrincipalFrom(r.Context())
	secret, t, err := g.o.Store.CreateToken(req.Name, req.Role, req.Tenant, p.Actor())
	if err != nil {
		g.record(r, Event{Actor: p.Actor(), Action: "token.create", Target: req.Name, Outcome: "failed"})
		g.userErr(w, r, err)
		return
	}
	g.record(r, Event{Actor: p.Actor(), Action: "token.create", Target: t.Name, Outcome: "ok"})
	writeJSONAnswer(w, http.StatusCreated, map[string]any{"token": secret, "info": t})
}

func (g *Gate) handleTokenDelete(w http.ResponseWriter, r *http.Request) {
	p := PrincipalFrom(r.Context())
	t, err := g.o.Store.DeleteToken(r.PathValue("id"))
	if err != nil {
		g.record(r, Event{Actor: p.Actor(), Action: "token.delete", Target: r.PathValue("id"), Outcome: "failed"})
		g.userErr(w, r, err)
		return
	}
	g.record(r, Event{Actor: p.Actor(), Action: "token.delete", Target: t.Name, Outcome: "ok"})
	writeJSONAnswer(w, http.StatusOK, map[string]any{"deleted": t})
}

// maxAuditEvents bounds GET /api/audit?limit=.
const maxAuditEvents = 10000

func (g *Gate) handleAudit(w http.ResponseWriter, r *http.Request) {
	limit := 200
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxAuditEvents {
			writeErr(w, r, http.StatusBadRequest, fmt.Sprintf("limit must be a number from 1 to %d", maxAuditEvents))
			return
		}
		limit = n
	}
	evs, err := g.o.Audit.Read(limit)
	if err != nil {
		g.o.Logger.Error("read the audit log", "err", err)
		writeErr(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSONAnswer(w, http.StatusOK, map[string]any{"events": evs})
}
