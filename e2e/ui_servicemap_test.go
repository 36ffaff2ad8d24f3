package e2e

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// serviceMapDemoConfig: the demo live (its shop's traffic in real time, two
// traces a second) after a short backfill, and the span metrics and the
// service graph flushed every 2 s, so that the map has rates within seconds.
const serviceMapDemoConfig = `extensions:
  overlook:
    demo:
      seed: 12
      backfill: 2m
      rate: 2
connectors:
  span_metrics:
    metrics_flush_interval: 2s
  service_graph:
    metrics_flush_interval: 2s
    store:
      ttl: 2s
    store_expiration_loop: 1s
`

// TestUIServiceMap opens the Service Map on the live demo in the browser
// (web/e2e/servicemap.mjs): the shop's services and calls with request
// rates from the span metrics and the service graph, a service's RED
// panel, an edge's panel, and the click through to the traces behind it.
// It saves docs/screenshots/service-map.png and service-map-edge.png under
// OVERLOOK_SCREENSHOTS=1. Prerequisites as TestUIWalk.
func TestUIServiceMap(t *testing.T) {
	chromium := browserPrereqs(t)
	s := startDemo(t, serviceMapDemoConfig)
	// Two flushes after the backfill: every series has two points.
	time.Sleep(5 * time.Second)
	cmd := exec.Command("node", "e2e/servicemap.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "OVERLOOK_URL=http://"+s.api, "SCREENSHOTS="+screenshotDir(t), "CHROMIUM="+chromium)
	if os.Getenv("OVERLOOK_SCREENSHOTS") == "1" || os.Getenv("OVERLOOK_UPDATE_SCREENSHOTS") == "1" {
		// For the docs: a minute of live history in the RED charts.
		cmd.Env = append(cmd.Env, "SETTLE_MS=60000")
	}
	out, err := cmd.CombinedOutput()
	t.Logf("service map walk output:\n%s", out)
	if err != nil {
		t.Fatalf("browser walk of the service map failed: %v", err)
	}
}
