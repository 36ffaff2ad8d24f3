package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestUIAlerts runs the alerts browser test (web/e2e/alerts.mjs): an
// alert created from the Search page on error logs fires and shows on the
// Alerts page; the webhook receiver gets the test notice and exactly one
// firing notice; a Prometheus rule of a loaded rule file is listed firing. Skips like TestUIWalk when the UI or chromium is missing.
func TestUIAlerts(t *testing.T) {
	chromium := browserPrereqs(t)
	hook := newWebhookReceiver(t)
	rules := filepath.Join(t.TempDir(), "rules.yml")
	writeFile(t, rules, "groups:\n  - name: selftest\n    rules:\n      - alert: AlwaysOn\n        expr: vector(1) > 0\n")
	// A rule channel whose receiver refuses every notice: the Alerts page
	// must show the failed delivery (issue 13 §3), not only /metrics.
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	t.Cleanup(refusing.Close)
	s := newServer(t, "extensions:\n  overlook:\n    alerting:\n      rule_files: ["+rules+"]\n      evaluation_interval: 1s\n"+
		"      channels:\n        - {name: chat, type: webhook, url: "+refusing.URL+"/hook}\n")
	s.start()
	now := time.Now().UnixNano()
	var recs []any
	for i := 0; i < 5; i++ {
		recs = append(recs, map[string]any{"timeUnixNano": strconv.FormatInt(now+int64(i), 10),
			"severityText": "ERROR", "body": map[string]any{"stringValue": "card declined"}})
	}
	s.postOTLP("/v1/logs", map[string]any{"resourceLogs": []any{map[string]any{
		"resource":  map[string]any{"attributes": []any{map[string]any{"key": "service.name", "value": map[string]any{"stringValue": "ui-alerts"}}}},
		"scopeLogs": []any{map[string]any{"logRecords": recs}},
	}}})

	cmd := exec.Command("node", "e2e/alerts.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "OVERLOOK_URL=http://"+s.api, "HOOK_URL="+hook.srv.URL,
		"SCREENSHOTS="+screenshotDir(t), "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("alerts browser test output:\n%s", out)
	if err != nil {
		t.Fatalf("alerts browser test failed: %v", err)
	}
	var firing, tests int
	for _, m := range hook.received() {
		if m.Status != "firing" || len(m.Alerts) != 1 || m.Alerts[0].Labels["alertname"] != "browser errors" {
			t.Errorf("unexpected notice %+v", m)
			continue
		}
		if m.Alerts[0].Labels["test"] == "true" {
			tests++
		} else {
			firing++
		}
	}
	if tests != 1 || firing != 1 {
		t.Errorf("receiver got %d test and %d firing notices, want exactly 1 and 1", tests, firing)
	}
}
