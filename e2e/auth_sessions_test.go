package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuthSessionsSurviveRestart: login sessions are persisted under
// <data>/auth (hashed): a session cookie still works after the server
// restarts on the same data directory; a logged-out one does not, and
// neither does the oldest session beyond max_sessions_per_user.
func TestAuthSessionsSurviveRestart(t *testing.T) {
	s := newServer(t, `extensions:
  overlook:
    auth:
      max_sessions_per_user: 2
`)
	s.start()
	base := "http://" + s.api
	admin := newAPIClient(t, base)
	code, body := admin.json("POST", "/api/setup", `{"email":"admin@example.com","password":"admin-password"}`)
	want(t, "setup", code, body, 201, `"role":"admin"`)

	// Three logins of one user with max_sessions_per_user 2: the first
	// (the setup's) is evicted.
	laptop, phone := newAPIClient(t, base), newAPIClient(t, base)
	laptop.login("admin@example.com", "admin-password")
	phone.login("admin@example.com", "admin-password")
	code, body = admin.json("GET", "/api/dashboards", "")
	want(t, "the evicted oldest session", code, body, 401, "expired or ended")

	s.stop()
	s.start()
	code, body = laptop.json("GET", "/api/dashboards", "")
	want(t, "a session after a restart", code, body, 200, "")
	code, body = phone.json("GET", "/api/auth/status", "")
	want(t, "the other session after a restart", code, body, 200, `"name":"admin@example.com"`)
	code, body = admin.json("GET", "/api/dashboards", "")
	want(t, "the evicted session after a restart", code, body, 401, "")

	// The file holds no cookie value.
	raw, err := os.ReadFile(filepath.Join(s.dataDir, "auth", "sessions.json"))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	for _, c := range append(laptop.c.Jar.Cookies(u), phone.c.Jar.Cookies(u)...) {
		if strings.Contains(string(raw), c.Value) {
			t.Fatalf("sessions.json holds a session cookie's value")
		}
	}

	// Logout, restart: the (kept) cookie is refused.
	cookies := laptop.c.Jar.Cookies(u)
	if len(cookies) != 1 {
		t.Fatalf("laptop cookies %v", cookies)
	}
	code, body = laptop.json("POST", "/api/logout", `{}`)
	want(t, "logout", code, body, http.StatusOK, "")
	s.stop()
	s.start()
	code, _, body = laptop.do("GET", "/api/dashboards", "", "", "Cookie", cookies[0].String())
	want(t, "a logged-out session after a restart", code, body, 401, "expired or ended")
	code, body = phone.json("GET", "/api/dashboards", "")
	want(t, "the other session after the second restart", code, body, 200, "")
}
