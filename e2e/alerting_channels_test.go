package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestAlertingRulesChannels: without an Alertmanager, a rule alert over a
// scraped metric reaches a built-in webhook channel as exactly one
// firing and one resolved notice (Alertmanager webhook payload, with the
// external labels), while a Slack channel whose receiver refuses every
// notice is counted as failed on /metrics and retried.
func TestAlertingRulesChannels(t *testing.T) {
	target := newGaugeTarget(t, 1)
	hook := newWebhookReceiver(t)
	var refused atomic.Int64
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		refused.Add(1)
		http.Error(w, "invalid_token", http.StatusForbidden)
	}))
	t.Cleanup(slack.Close)
	ruleDir := t.TempDir()
	writeFile(t, filepath.Join(ruleDir, "queue.yml"), depthRules)
	s := newServer(t, fmt.Sprintf(`extensions:
  overlook:
    alerting:
      rule_files: [%s/*.yml]
      evaluation_interval: 1s
      external_labels: {cluster: prod}
      external_url: http://overlook.example:8080
      group_by: [alertname, cluster]
      channels:
        - {name: ops, type: webhook, url: %s/hook}
        - {name: chat, type: slack, url: %s/services/secret}
receivers:
  prometheus/app:
    config:
      scrape_configs:
        - job_name: app
          scrape_interval: 1s
          static_configs:
            - targets: [%s]
service:
  pipelines:
    metrics/app:
      receivers: [prometheus/app]
      exporters: [overlook]
`, ruleDir, hook.srv.URL, slack.URL, target.addr()))
	s.start()
	waitFor(t, 20*time.Second, "queue_depth in the store", func() bool {
		return len(s.promQuery("queue_depth").Data.Result) == 1
	})

	target.set(20)
	waitFor(t, 20*time.Second, "the webhook channel to receive the firing notice", func() bool {
		return len(hook.received()) > 0
	})
	target.set(2)
	waitFor(t, 15*time.Second, "the webhook channel to receive the resolved notice", func() bool {
		return len(hook.received()) > 1
	})
	time.Sleep(3 * time.Second) // no more notices may follow
	msgs := hook.received()
	if len(msgs) != 2 {
		t.Fatalf("webhook channel got %d notices, want exactly 2 (firing, resolved): %+v", len(msgs), msgs)
	}
	for i, want := range []string{"firing", "resolved"} {
		m := msgs[i]
		if m.Status != want || m.Version != "4" || m.Receiver != "overlook/ops" ||
			fmt.Sprint(m.GroupLabels) != "map[alertname:QueueDepthHigh cluster:prod]" || len(m.Alerts) != 1 {
			t.Fatalf("notice %d: %+v, want a %s notice of QueueDepthHigh grouped by alertname and cluster", i, m, want)
		}
		a := m.Alerts[0]
		wantLabels := map[string]string{"alertname": "QueueDepthHigh", "severity": "page", "cluster": "prod",
			"job": "app", "instance": target.addr()}
		if a.Status != want || fmt.Sprint(a.Labels) != fmt.Sprint(wantLabels) || a.Annotations["summary"] != "queue depth is 20" ||
			!strings.HasPrefix(a.GeneratorURL, "http://overlook.example:8080/graph?g0.expr=") || a.Fingerprint == "" {
			t.Errorf("notice %d alert: %+v", i, a)
		}
		if (want == "firing") != a.EndsAt.IsZero() || (want == "resolved" && !a.EndsAt.After(a.StartsAt)) {
			t.Errorf("notice %d: startsAt %s endsAt %s", i, a.StartsAt, a.EndsAt)
		}
	}
	if !msgs[1].Alerts[0].StartsAt.Equal(msgs[0].Alerts[0].StartsAt) {
		t.Errorf("resolved startsAt %s, firing %s", msgs[1].Alerts[0].StartsAt, msgs[0].Alerts[0].StartsAt)
	}

	// The refusing Slack channel: every failure counted, none silent; 403
	// is not retried within a delivery, but the notice is sent again at
	// the next evaluation.
	metrics := s.metricsText()
	if !strings.Contains(metrics, `overlook_alert_notifications_total{channel="webhook",result="ok"} 2`) {
		t.Errorf("/metrics: webhook deliveries not counted 2 ok:\n%s", grepLines(metrics, "overlook_alert_notifications_total"))
	}
	// The Slack deliveries run beside the webhook's: the resolved notice's
	// failure may be counted after the webhook got it, so wait for both.
	slackFailed := regexp.MustCompile(`overlook_alert_notifications_total\{channel="slack",result="failed"\} (\d+)`)
	var failed []string
	waitFor(t, 15*time.Second, "two failed slack deliveries counted in /metrics", func() bool {
		metrics = s.metricsText()
		failed = slackFailed.FindStringSubmatch(metrics)
		n := 0
		if failed != nil {
			n, _ = strconv.Atoi(failed[1])
		}
		return n >= 2
	})
	if n, _ := strconv.Atoi(failed[1]); n < 2 || int64(n) > refused.Load() {
		t.Errorf("/metrics: slack failures %v, the receiver refused %d notices", failed, refused.Load())
	}
	if out := s.out.String(); !strings.Contains(out, "rule alert notice not delivered") || strings.Contains(out, "services/secret") {
		t.Errorf("the failed delivery is not logged, or its log shows the URL's secret path")
	}
}
