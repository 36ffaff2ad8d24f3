// Package rules evaluates Prometheus rule files (alerting and recording
// rules) with Prometheus's own rules engine over the store, writes
// recording-rule output and the ALERTS / ALERTS_FOR_STATE series back into
// the store, sends alerts to Alertmanagers with Prometheus's notifier
// and/or to built-in channels (dispatch.go: webhook, Slack, template), and
// serves /api/v1/rules, /api/v1/alerts and /-/reload in Prometheus's
// shapes. docs/alerting.md, "Prometheus rules".
package rules

import (
	"net/url"
	"time"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
)

// Defaults of Config, Prometheus's own.
const (
	DefaultEvaluationInterval = time.Minute
	DefaultForGracePeriod     = 10 * time.Minute
	DefaultOutageTolerance    = time.Hour
	DefaultResendDelay        = time.Minute
	DefaultQueueCapacity      = 10000
	// DefaultRepeatInterval is how often the built-in channels repeat a
	// still-firing group (Alertmanager's default).
	DefaultRepeatInterval = 4 * time.Hour
)

// DefaultGroupBy groups the built-in channels' notices per alert name.
var DefaultGroupBy = []string{"alertname"}

// Config is what the rules engine evaluates and where it sends alerts.
// Zero values select the defaults above.
type Config struct {
	// RuleFiles are globs of rule files; empty: no rules.
	RuleFiles []string
	// EvaluationInterval of groups without their own interval.
	EvaluationInterval time.Duration
	// ExternalLabels are added to alerts sent to Alertmanagers.
	ExternalLabels map[string]string
	// ExternalURL is the base of generatorURL; required.
	ExternalURL string
	// Alertmanagers receive alerts (Alertmanager API v2).
	Alertmanagers []Alertmanager
	// ForGracePeriod, OutageTolerance and ResendDelay are Prometheus's
	// --rules.alert.* flags.
	ForGracePeriod, OutageTolerance, ResendDelay time.Duration
	// QueueCapacity bounds the notifications waiting to be sent.
	QueueCapacity int
	// Channels receive the alerts directly (no Alertmanager needed),
	// grouped by GroupBy (default DefaultGroupBy; "..." alone: every
	// label), a still-firing group repeated every RepeatInterval
	// (default DefaultRepeatInterval). dispatch.go.
	Channels       []Channel
	GroupBy        []string
	RepeatInterval time.Duration
	// Retry bounds the channels' deliveries (notify.RetryPolicy defaults).
	Retry notify.RetryPolicy
}

// Alertmanager is one Alertmanager to send alerts to.
type Alertmanager struct {
	// URL: scheme, host and an optional path prefix.
	URL *url.URL
	// Timeout of one request; zero: 10s.
	Timeout time.Duration
	// BasicAuth, BearerToken and BearerTokenFile are optional.
	BasicAuth       *BasicAuth
	BearerToken     string
	BearerTokenFile string
}

// BasicAuth is HTTP basic authentication.
type BasicAuth struct {
	Username, Password, PasswordFile string
}

func (c Config) withDefaults() Config {
	if c.EvaluationInterval <= 0 {
		c.EvaluationInterval = DefaultEvaluationInterval
	}
	if c.ForGracePeriod <= 0 {
		c.ForGracePeriod = DefaultForGracePeriod
	}
	if c.OutageTolerance <= 0 {
		c.OutageTolerance = DefaultOutageTolerance
	}
	if c.ResendDelay <= 0 {
		c.ResendDelay = DefaultResendDelay
	}
	if c.QueueCapacity <= 0 {
		c.QueueCapacity = DefaultQueueCapacity
	}
	if len(c.GroupBy) == 0 {
		c.GroupBy = DefaultGroupBy
	}
	if c.RepeatInterval <= 0 {
		c.RepeatInterval = DefaultRepeatInterval
	}
	return c
}
