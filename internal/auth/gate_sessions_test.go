package auth

import (
	"net/http"
	"strings"
	"testing"
)

// TestGateSessionReadsUserPerRequest: a session names only its user; the
// role and tenant come from the user store on every request, so a change
// to the user applies to a session already open, and a deleted user's
// session is refused.
func TestGateSessionReadsUserPerRequest(t *testing.T) {
	f := newGate(t, nil)
	u, err := f.store.AddUser(NewUser{Email: "ann@x.io", Password: "password-ann", Role: Editor, Tenant: "team-a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddUser(NewUser{Email: "root@x.io", Password: "password-root", Role: Admin}); err != nil {
		t.Fatal(err)
	}
	resp, body := f.do(req{method: "POST", path: "/api/login", body: `{"email":"ann@x.io","password":"password-ann"}`, header: jsonCT})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	cookie := map[string]string{"Cookie": strings.SplitN(resp.Header.Get("Set-Cookie"), ";", 2)[0]}
	status := func() string {
		_, body := f.do(req{method: "GET", path: "/api/auth/status", header: cookie})
		return body
	}
	if b := status(); !strings.Contains(b, `"role":"editor"`) || !strings.Contains(b, `"tenant":"team-a"`) {
		t.Fatalf("status before the change: %s", b)
	}

	// An admin (or the CLI) changes the user while the session is open.
	err = f.store.update(func(d *document) error {
		for i := range d.Users {
			if d.Users[i].ID == u.ID {
				d.Users[i].Role, d.Users[i].Tenant = Viewer, "team-b"
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if b := status(); !strings.Contains(b, `"role":"viewer"`) || !strings.Contains(b, `"tenant":"team-b"`) {
		t.Fatalf("status after the change: %s", b)
	}
	if resp, body := f.do(req{method: "POST", path: "/api/dashboards", body: "{}", header: with(jsonCT, "Cookie", cookie["Cookie"])}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the demoted user saves a dashboard: %d %s", resp.StatusCode, body)
	}

	if _, err := f.store.DeleteUser(u.ID); err != nil {
		t.Fatal(err)
	}
	if resp, body := f.do(req{method: "GET", path: "/api/fields", header: cookie}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a deleted user's session: %d %s", resp.StatusCode, body)
	}
}
