package e2e

import (
	"os"
	"os/exec"
	"testing"
)

// TestUIAuth runs the browser test of access control (web/e2e/auth.mjs):
// first-run admin creation, logout, a refused login, login, the cookie's
// flags, the CSP, and an API token from the admin page. Afterwards the
// admin it created logs in over the API: the browser really made it.
func TestUIAuth(t *testing.T) {
	chromium := browserPrereqs(t)
	s := newServer(t, "")
	s.start()
	const email, password = "first@example.com", "first-admin-pw"
	cmd := exec.Command("node", "e2e/auth.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "OVERLOOK_URL=http://"+s.api, "CHROMIUM="+chromium,
		"ADMIN_EMAIL="+email, "ADMIN_PASSWORD="+password)
	out, err := cmd.CombinedOutput()
	t.Logf("auth.mjs output:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	c := newAPIClient(t, "http://"+s.api)
	c.login(email, password)
	code, body := c.json("GET", "/api/users", "")
	want(t, "the browser-made admin", code, body, 200, `"role":"admin"`)
}
