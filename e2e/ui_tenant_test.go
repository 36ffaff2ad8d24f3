package e2e

import (
	"os"
	"os/exec"
	"testing"
)

// TestUITenantPicker runs the browser test of the tenant picker
// (web/e2e/tenant.mjs) against the real binary: with /api/tenants answered
// as a multitenant server would (by the browser test), every request the
// UI makes carries the chosen tenant's header; against the server as it
// answers (404 before multitenancy), no picker and no header.
func TestUITenantPicker(t *testing.T) {
	chromium := browserPrereqs(t)
	s := newServer(t, "")
	s.start()
	cmd := exec.Command("node", "e2e/tenant.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "OVERLOOK_URL=http://"+s.api, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("tenant.mjs output:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
}
