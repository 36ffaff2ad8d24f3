package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestUIGrafana runs web/e2e/grafana.mjs against the real binary with
// self-telemetry on: seed 002's Grafana dashboard imported from the
// Dashboards page with its unmapped list, the imported tiles and variable
// selects, a Grafana dashboard over overlook's own metrics drawing its
// series, and the prepared "overlook" dashboard answering every tile.
func TestUIGrafana(t *testing.T) {
	chromium := browserPrereqs(t)
	s := newServer(t, selfConfig)
	s.start()
	seed, err := filepath.Abs("../internal/meta/grafana/testdata/qmtl_dagmanager.json")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "e2e/grafana.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "OVERLOOK_URL=http://"+s.api, "GRAFANA_SEED="+seed,
		"SCREENSHOTS="+screenshotDir(t), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("walk output:\n%s", out)
	if err != nil {
		t.Fatalf("browser walk failed: %v", err)
	}
}
