package auth

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type gateFixture struct {
	t     *testing.T
	store *Store
	srv   *httptest.Server
}

// newGate serves a gate in front of a handler that answers 200 "next"
// and echoes the principal's kind and role.
func newGate(t *testing.T, keys *IngestionKeys) *gateFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalFrom(r.Context())
		_, _ = io.WriteString(w, "next "+p.Kind+" "+string(p.Role))
	})
	g := NewGate(GateOptions{Store: st, Sessions: NewSessions(time.Hour), Audit: NewAudit(dir),
		Limiter: NewLoginLimiter(3, time.Minute), Logger: slog.New(slog.DiscardHandler), Keys: keys,
		TrustedOrigins: []string{"https://grafana.example"}, ReadPOSTs: []string{"/api/search"}}, next)
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return &gateFixture{t: t, store: st, srv: srv}
}

type req struct {
	method, path, body string
	header             map[string]string
}

func (f *gateFixture) do(r req) (*http.Response, string) {
	f.t.Helper()
	hr, err := http.NewRequest(r.method, f.srv.URL+r.path, strings.NewReader(r.body))
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultTransport.RoundTrip(hr)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

var jsonCT = map[string]string{"Content-Type": "application/json"}

func with(h map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestGateBeforeAnyUser(t *testing.T) {
	f := newGate(t, nil)
	for _, tc := range []struct {
		name string
		r    req
		code int
		want string
	}{
		{"read is open", req{method: "GET", path: "/api/fields"}, 200, "next anonymous admin"},
		{"JSON write from a tool is open", req{method: "POST", path: "/api/dashboards", body: "{}", header: jsonCT}, 200, "next"},
		{"rule reload from a tool needs no body (PUT, like promtool/curl -X PUT)", req{method: "PUT", path: "/prometheus/-/reload"}, 200, "next"},
		{"cross-site rule reload", req{method: "POST", path: "/prometheus/-/reload", header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}}, 403, ""},
		{"cross-site text/plain POST (the CSRF form)", req{method: "POST", path: "/api/dashboards", body: `{"name":"x"}`,
			header: map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}}, 403, "cross-site request refused"},
		{"cross-site JSON POST", req{method: "POST", path: "/api/dashboards", body: `{}`,
			header: with(jsonCT, "Origin", "https://evil.example")}, 403, "cross-site request refused"},
		{"text/plain POST without Origin", req{method: "POST", path: "/api/dashboards", body: `{}`,
			header: map[string]string{"Content-Type": "text/plain"}}, 415, "needs Content-Type: application/json"},
		{"same-origin browser POST", req{method: "POST", path: "/api/dashboards", body: `{}`,
			header: with(jsonCT, "Sec-Fetch-Site", "same-origin", "Origin", "http://proxy.example")}, 200, "next"},
		{"trusted origin", req{method: "PUT", path: "/api/dashboards/x", body: `{}`,
			header: with(jsonCT, "Origin", "https://grafana.example", "Sec-Fetch-Site", "cross-site")}, 200, "next"},
		{"read POST keeps any content type", req{method: "POST", path: "/api/search", body: `{}`,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 200, "next"},
		{"null origin", req{method: "POST", path: "/api/dashboards", body: `{}`, header: with(jsonCT, "Origin", "null")}, 403, "null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(tc.r)
			if resp.StatusCode != tc.code || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s; want %d containing %q", resp.StatusCode, body, tc.code, tc.want)
			}
			for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}

func TestGateWithUsers(t *testing.T) {
	f := newGate(t, nil)
	for email, role := range map[string]Role{"admin@x.io": Admin, "ed@x.io": Editor, "view@x.io": Viewer} {
		if _, err := f.store.AddUser(NewUser{Email: email, Password: "password-" + email, Role: role}); err != nil {
			t.Fatal(err)
		}
	}
	login := func(email string) string {
		resp, body := f.do(req{method: "POST", path: "/api/login", body: `{"email":"` + email + `","password":"password-` + email + `"}`, header: jsonCT})
		if resp.StatusCode != 200 {
			t.Fatalf("login %s: %d %s", email, resp.StatusCode, body)
		}
		c := resp.Header.Get("Set-Cookie")
		for _, want := range []string{SessionCookie + "=", "HttpOnly", "SameSite=Strict", "Max-Age=3600"} {
			if !strings.Contains(c, want) {
				t.Fatalf("cookie %q lacks %q", c, want)
			}
		}
		if strings.Contains(c, "Secure") {
			t.Fatalf("cookie %q is Secure over plain HTTP", c)
		}
		return strings.SplitN(c, ";", 2)[0]
	}
	viewer, editor, admin := login("view@x.io"), login("ed@x.io"), login("admin@x.io")
	secret, _, err := f.store.CreateToken("grafana", Viewer, "", "test")
	if err != nil {
		t.Fatal(err)
	}
	bearer := "Bearer " + secret
	for _, tc := range []struct {
		name string
		r    req
		code int
		want string
	}{
		{"no credentials", req{method: "GET", path: "/api/fields"}, 401, "authentication required"},
		{"no credentials on /prometheus", req{method: "GET", path: "/prometheus/api/v1/labels"}, 401, `"status":"error"`},
		{"no credentials on /metrics", req{method: "GET", path: "/metrics"}, 401, "authentication required"},
		{"health is public", req{method: "GET", path: "/healthz"}, 200, "next"},
		{"ready is public", req{method: "GET", path: "/ready"}, 200, "next"},
		{"app shell is public", req{method: "GET", path: "/search"}, 200, "next anonymous"},
		{"asset is public", req{method: "GET", path: "/assets/index-abc.js"}, 200, "next anonymous"},
		{"status is public", req{method: "GET", path: "/api/auth/status"}, 200, `"setupRequired":false`},
		{"token reads /api", req{method: "GET", path: "/api/fields", header: map[string]string{"Authorization": bearer}}, 200, "next token viewer"},
		{"token reads /prometheus", req{method: "POST", path: "/prometheus/api/v1/query", body: "query=up",
			header: map[string]string{"Authorization": bearer, "Content-Type": "application/x-www-form-urlencoded"}}, 200, "next token viewer"},
		{"token reads /tempo", req{method: "GET", path: "/tempo/api/echo", header: map[string]string{"Authorization": bearer}}, 200, "next token"},
		{"unknown token", req{method: "GET", path: "/api/fields", header: map[string]string{"Authorization": "Bearer olk_nope"}}, 401, "unknown or revoked"},
		{"session reads", req{method: "GET", path: "/api/fields", header: map[string]string{"Cookie": viewer}}, 200, "next user viewer"},
		{"bad session", req{method: "GET", path: "/api/fields", header: map[string]string{"Cookie": SessionCookie + "=forged"}}, 401, "expired"},
		{"viewer searches (read POST)", req{method: "POST", path: "/api/search", body: "{}", header: with(jsonCT, "Cookie", viewer)}, 200, "next"},
		{"viewer cannot save a dashboard", req{method: "POST", path: "/api/dashboards", body: "{}", header: with(jsonCT, "Cookie", viewer)}, 403, "needs the editor role"},
		{"viewer token cannot save a dashboard", req{method: "PUT", path: "/api/dashboards/x", body: "{}", header: with(jsonCT, "Authorization", bearer)}, 403, "editor"},
		{"editor saves a dashboard", req{method: "POST", path: "/api/dashboards", body: "{}", header: with(jsonCT, "Cookie", editor)}, 200, "next user editor"},
		{"viewer cannot reload the rules", req{method: "POST", path: "/prometheus/-/reload", header: map[string]string{"Cookie": viewer}}, 403, "editor"},
		{"editor reloads the rules with PUT and no body", req{method: "PUT", path: "/prometheus/-/reload", header: map[string]string{"Cookie": editor}}, 200, "next user editor"},
		{"editor cannot list users", req{method: "GET", path: "/api/users", header: map[string]string{"Cookie": editor}}, 403, "admin"},
		{"admin lists users", req{method: "GET", path: "/api/users", header: map[string]string{"Cookie": admin}}, 200, "view@x.io"},
		{"setup is closed", req{method: "POST", path: "/api/setup", body: `{"email":"z@x.io","password":"longenough"}`, header: jsonCT}, 409, "setup is done"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.do(tc.r)
			if resp.StatusCode != tc.code || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s; want %d containing %q", resp.StatusCode, body, tc.code, tc.want)
			}
			if tc.code == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}

	// Admin creates a token over the API; it works, and is audited.
	resp, body := f.do(req{method: "POST", path: "/api/tokens", body: `{"name":"ci","role":"editor"}`, header: with(jsonCT, "Cookie", admin)})
	var created struct{ Token string }
	if resp.StatusCode != 201 || json.Unmarshal([]byte(body), &created) != nil || created.Token == "" {
		t.Fatalf("create token: %d %s", resp.StatusCode, body)
	}
	if resp, body := f.do(req{method: "POST", path: "/api/dashboards", body: "{}", header: with(jsonCT, "Authorization", "Bearer "+created.Token)}); resp.StatusCode != 200 {
		t.Fatalf("editor token: %d %s", resp.StatusCode, body)
	}
	var info struct{ Info Token }
	_ = json.Unmarshal([]byte(body), &info)
	if resp, body := f.do(req{method: "DELETE", path: "/api/tokens/" + info.Info.ID, header: map[string]string{"Cookie": admin}}); resp.StatusCode != 200 || !strings.Contains(body, `"name":"ci"`) {
		t.Fatalf("revoke: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do(req{method: "GET", path: "/api/fields", header: map[string]string{"Authorization": "Bearer " + created.Token}}); resp.StatusCode != 401 {
		t.Fatalf("revoked token: %d", resp.StatusCode)
	}

	// Logout ends the session.
	if resp, body := f.do(req{method: "POST", path: "/api/logout", body: "{}", header: with(jsonCT, "Cookie", viewer)}); resp.StatusCode != 200 {
		t.Fatalf("logout: %d %s", resp.StatusCode, body)
	}
	if resp, _ := f.do(req{method: "GET", path: "/api/fields", header: map[string]string{"Cookie": viewer}}); resp.StatusCode != 401 {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}

	resp, body = f.do(req{method: "GET", path: "/api/audit", header: map[string]string{"Cookie": admin}})
	for _, want := range []string{`"action":"token.create","target":"ci","outcome":"ok"`, `"actor":"view@x.io","action":"logout"`, `"actor":"admin@x.io","action":"login"`} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("audit lacks %s: %d %s", want, resp.StatusCode, body)
		}
	}
}

func TestGateLoginRateLimit(t *testing.T) {
	f := newGate(t, nil)
	if _, err := f.store.AddUser(NewUser{Email: "a@x.io", Password: "longenough", Role: Admin}); err != nil {
		t.Fatal(err)
	}
	bad := req{method: "POST", path: "/api/login", body: `{"email":"a@x.io","password":"wrong-one"}`, header: jsonCT}
	for i := 0; i < 3; i++ {
		if resp, body := f.do(bad); resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d %s", i, resp.StatusCode, body)
		}
	}
	// Even the right password waits now.
	resp, body := f.do(req{method: "POST", path: "/api/login", body: `{"email":"a@x.io","password":"longenough"}`, header: jsonCT})
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "too many failed logins") {
		t.Fatalf("4th attempt: %d Retry-After=%q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// Another email from the same address is not limited.
	if resp, _ := f.do(req{method: "POST", path: "/api/login", body: `{"email":"b@x.io","password":"x"}`, header: jsonCT}); resp.StatusCode != 401 {
		t.Fatalf("other email: %d", resp.StatusCode)
	}
}

func TestGateSetup(t *testing.T) {
	f := newGate(t, nil)
	resp, body := f.do(req{method: "GET", path: "/api/auth/status"})
	if !strings.Contains(body, `"setupRequired":true`) {
		t.Fatalf("status before setup: %s", body)
	}
	resp, body = f.do(req{method: "POST", path: "/api/setup", body: `{"email":"first@x.io","password":"longenough"}`, header: jsonCT})
	if resp.StatusCode != 201 || !strings.Contains(resp.Header.Get("Set-Cookie"), SessionCookie) {
		t.Fatalf("setup: %d %s", resp.StatusCode, body)
	}
	cookie := strings.SplitN(resp.Header.Get("Set-Cookie"), ";", 2)[0]
	if resp, body := f.do(req{method: "GET", path: "/api/users", header: map[string]string{"Cookie": cookie}}); resp.StatusCode != 200 || !strings.Contains(body, `"role":"admin"`) {
		t.Fatalf("first admin: %d %s", resp.StatusCode, body)
	}
}

func TestGateRemoteWriteKeys(t *testing.T) {
	dir := t.TempDir()
	kf := filepath.Join(dir, "k")
	if err := os.WriteFile(kf, []byte("0123456789abcdef0123"), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := LoadIngestionKeys([]KeyConfig{{KeyFile: kf, Tenant: "t1"}})
	if err != nil {
		t.Fatal(err)
	}
	f := newGate(t, keys)
	for _, tc := range []struct {
		auth string
		code int
		want string
	}{
		{"", 401, "requires an ingestion key"},
		{"Bearer wrong-key-wrong-key", 401, "not one this server accepts"},
		{"Bearer 0123456789abcdef0123", 200, "next ingest"},
		{"0123456789abcdef0123", 200, "next ingest"},
	} {
		h := map[string]string{"Content-Type": "application/x-protobuf"}
		if tc.auth != "" {
			h["Authorization"] = tc.auth
		}
		resp, body := f.do(req{method: "POST", path: "/prometheus/api/v1/write", body: "x", header: h})
		if resp.StatusCode != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("auth %q: %d %s; want %d %q", tc.auth, resp.StatusCode, body, tc.code, tc.want)
		}
	}
}
