package search

import (
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
	"github.com/overlook-dev/overlook/internal/meta"
)

// TestNoticeLabels: the scheduler's Labels (the tenant, with multitenancy
// on) are on every alert of a notice and in its common labels, over an
// alert's own label of the same name; none leave the notice unchanged.
func TestNoticeLabels(t *testing.T) {
	a := &meta.Alert{ID: "a1", Name: "errors", Source: "logs", Labels: map[string]string{"tenant": "spoofed", "team": "x"}}
	in := []meta.AlertInstance{{Value: 3, Since: time.Unix(100, 0)}}
	m := notice(a, notify.StatusFiring, "", in, time.Unix(200, 0))
	plain := m.Alerts[0].Fingerprint
	withLabels(&m, map[string]string{"tenant": "team-a"})
	if l := m.Alerts[0].Labels; l["tenant"] != "team-a" || l["team"] != "x" || l["alertname"] != "errors" {
		t.Errorf("labels %v", l)
	}
	if m.CommonLabels["tenant"] != "team-a" || m.Alerts[0].Fingerprint == plain {
		t.Errorf("common labels %v, fingerprint unchanged: %v", m.CommonLabels, m.Alerts[0].Fingerprint == plain)
	}
	m2 := notice(a, notify.StatusFiring, "", in, time.Unix(200, 0))
	withLabels(&m2, nil)
	if m2.Alerts[0].Labels["tenant"] != "spoofed" {
		t.Errorf("no labels changed the notice: %v", m2.Alerts[0].Labels)
	}
}
