// Package notify delivers alert notices: to a generic webhook (the
// Alertmanager webhook payload, so existing receivers work), a
// Slack-compatible incoming webhook, or any HTTP endpoint with a body
// rendered from a Go text/template. Deliveries are retried with bounded
// exponential backoff and counted in overlook_alert_notifications_total.
//
// The Notifier interface and Message (the Alertmanager webhook payload)
// do not depend on where alerts come from, so the Prometheus rules side
// can use the same channels.
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"
)

// Statuses of a Message and of an Alert in it.
const (
	StatusFiring   = "firing"
	StatusResolved = "resolved"
)

// Message is one notice: Alertmanager's webhook payload (version 4,
// https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
type Message struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []Alert           `json:"alerts"`
}

// Alert is one alert instance of a Message.
type Alert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	// EndsAt is the zero time ("0001-01-01T00:00:00Z", as Alertmanager
	// sends) while firing.
	EndsAt       time.Time `json:"endsAt"`
	GeneratorURL string    `json:"generatorURL"`
	Fingerprint  string    `json:"fingerprint"`
}

// Notifier sends one Message. Implementations MUST be safe for concurrent
// use and MUST return an error for every notice not accepted by the
// receiver; a *DeliveryError tells whether retrying may help.
type Notifier interface {
	Notify(ctx context.Context, m Message) error
}

// NewMessage builds a Message from alerts of one status: the group and
// common labels and annotations are computed the way Alertmanager does
// (common: present with the same value in every alert).
func NewMessage(receiver, status, externalURL string, groupLabels map[string]string, alerts []Alert) Message {
	m := Message{Version: "4", Status: status, Receiver: receiver, ExternalURL: externalURL,
		GroupLabels: copyMap(groupLabels), Alerts: alerts}
	m.CommonLabels = common(alerts, func(a Alert) map[string]string { return a.Labels })
	m.CommonAnnotations = common(alerts, func(a Alert) map[string]string { return a.Annotations })
	m.GroupKey = "{}:" + labelString(m.GroupLabels)
	return m
}

// Fingerprint identifies an alert instance by its labels (a stable hash
// of the sorted name=value pairs, 16 hex digits).
func Fingerprint(labels map[string]string) string {
	sum := sha256.Sum256([]byte(labelString(labels)))
	return hex.EncodeToString(sum[:8])
}

func labelString(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := "{"
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += k + "=" + quote(labels[k])
	}
	return s + "}"
}

func quote(s string) string {
	b := []byte{'"'}
	for _, r := range []byte(s) {
		if r == '"' || r == '\\' {
			b = append(b, '\\')
		}
		b = append(b, r)
	}
	return string(append(b, '"'))
}

func common(alerts []Alert, f func(Alert) map[string]string) map[string]string {
	out := map[string]string{}
	if len(alerts) == 0 {
		return out
	}
	for k, v := range f(alerts[0]) {
		out[k] = v
	}
	for _, a := range alerts[1:] {
		m := f(a)
		for k, v := range out {
			if w, ok := m[k]; !ok || w != v {
				delete(out, k)
			}
		}
	}
	return out
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
