package overlookext

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/common/model"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
	"github.com/overlook-dev/overlook/internal/alerting/rules"
)

// AlertingConfig is extensions::overlook::alerting: Prometheus rule files
// evaluated by Prometheus's rules engine over the store, alerts sent to
// Alertmanagers (docs/alerting.md, "Prometheus rules").
type AlertingConfig struct {
	// RuleFiles are globs of Prometheus rule files (rule_files in
	// prometheus.yml). Empty: no rules are evaluated.
	RuleFiles []string `mapstructure:"rule_files"`
	// EvaluationInterval is how often rule groups without their own
	// interval are evaluated. Default 1m (Prometheus's default).
	EvaluationInterval time.Duration `mapstructure:"evaluation_interval"`
	// ExternalLabels are added to every alert sent to an Alertmanager
	// ($externalLabels in templates), like Prometheus's
	// global.external_labels.
	ExternalLabels map[string]string `mapstructure:"external_labels"`
	// ExternalURL is the base of alerts' generatorURL and of
	// $externalURL in templates. Default http://<host name>:<API port>.
	ExternalURL string `mapstructure:"external_url"`
	// Alertmanagers receive alerts over the Alertmanager v2 API.
	Alertmanagers []AlertmanagerConfig `mapstructure:"alertmanagers"`
	// ForGracePeriod: an alert whose `for` is at least this long, restored
	// after a restart, waits at least this long before it fires
	// (Prometheus's --rules.alert.for-grace-period). Default 10m.
	ForGracePeriod time.Duration `mapstructure:"for_grace_period"`
	// OutageTolerance: `for` state older than this is not restored after a
	// restart (--rules.alert.for-outage-tolerance). Default 1h.
	OutageTolerance time.Duration `mapstructure:"outage_tolerance"`
	// ResendDelay: how long to wait before resending a firing alert to the
	// Alertmanagers (--rules.alert.resend-delay). Default 1m.
	ResendDelay time.Duration `mapstructure:"resend_delay"`
	// NotificationQueueCapacity bounds the alerts waiting to be sent;
	// past it the oldest are dropped and counted in
	// prometheus_notifications_dropped_total. Default 10000.
	NotificationQueueCapacity int `mapstructure:"notification_queue_capacity"`
	// Channels receive the rule alerts directly, for teams without an
	// Alertmanager (docs/alerting.md, "Built-in channels for rule
	// alerts"). Alongside alertmanagers or instead of them.
	Channels []RuleChannelConfig `mapstructure:"channels"`
	// GroupBy: the channels' notices group alerts by these labels
	// ("..." alone: every label). Default [alertname].
	GroupBy []string `mapstructure:"group_by"`
	// RepeatInterval: a still-firing group is notified again this often
	// through the channels. Default 4h.
	RepeatInterval time.Duration `mapstructure:"repeat_interval"`
}

// RuleChannelConfig is one entry of alerting::channels: the fields of a
// search alert's channel, plus a name.
type RuleChannelConfig struct {
	// Name identifies the channel in logs and in the payload's receiver
	// ("overlook/<name>"). Required, unique.
	Name string `mapstructure:"name"`
	// Type is webhook (Alertmanager webhook payload), slack (incoming
	// webhook) or template (Body rendered over the payload).
	Type string `mapstructure:"type"`
	URL  string `mapstructure:"url"`
	// Body is the template channel's Go text/template.
	Body string `mapstructure:"body"`
	// ContentType of the template channel's body; default text/plain.
	ContentType string `mapstructure:"content_type"`
	// Headers are sent with every request (e.g. Authorization).
	Headers map[string]string `mapstructure:"headers"`
}

func (c RuleChannelConfig) channel() rules.Channel {
	return rules.Channel{Name: c.Name, ChannelConfig: notify.ChannelConfig{Type: c.Type, URL: c.URL, Body: c.Body,
		ContentType: c.ContentType, Headers: c.Headers}}
}

// validateChannels checks channels, group_by and repeat_interval.
func (c AlertingConfig) validateChannels() []error {
	var errs []error
	names := map[string]bool{}
	for i, ch := range c.Channels {
		switch {
		case ch.Name == "":
			errs = append(errs, fmt.Errorf("alerting::channels[%d]::name is empty: name each channel (e.g. name: ops-slack)", i))
		case names[ch.Name]:
			errs = append(errs, fmt.Errorf("alerting::channels[%d]::name %q is used twice: give each channel its own name", i, ch.Name))
		}
		names[ch.Name] = true
		if err := ch.channel().Validate(); err != nil {
			errs = append(errs, fmt.Errorf("alerting::channels[%d] (%q): %w", i, ch.Name, err))
		}
	}
	for _, l := range c.GroupBy {
		if l == "..." && len(c.GroupBy) == 1 {
			continue
		}
		if l == "..." || !model.LabelName(l).IsValid() {
			errs = append(errs, fmt.Errorf("alerting::group_by: %q is not a label name: list label names, or \"...\" alone to group by every label", l))
		}
	}
	if c.RepeatInterval < 0 {
		errs = append(errs, fmt.Errorf("alerting::repeat_interval is negative (%s): use a duration like 4h", c.RepeatInterval))
	}
	return errs
}

// AlertmanagerConfig is one Alertmanager (one entry of
// alerting.alertmanagers), addressed by URL.
type AlertmanagerConfig struct {
	// URL of the Alertmanager, e.g. http://alertmanager:9093 (a path is a
	// prefix: alerts are posted to <url>/api/v2/alerts). Required.
	URL string `mapstructure:"url"`
	// Timeout of one request. Default 10s.
	Timeout time.Duration `mapstructure:"timeout"`
	// BasicAuth, if set, authenticates with a user name and password.
	BasicAuth *BasicAuthConfig `mapstructure:"basic_auth"`
	// BearerToken, if set, is sent as "Authorization: Bearer <token>".
	BearerToken string `mapstructure:"bearer_token"`
	// BearerTokenFile: the token is read from this file at each request.
	BearerTokenFile string `mapstructure:"bearer_token_file"`
}

// BasicAuthConfig is HTTP basic authentication.
type BasicAuthConfig struct {
	Username     string `mapstructure:"username"`
	Password     string `mapstructure:"password"`
	PasswordFile string `mapstructure:"password_file"`
}

// Validate checks the settings. The rule files themselves are checked by
// `overlook config validate` and at start (RuleFiles), not here: a
// collector reload (SIGHUP) validates the configuration again, and a
// broken rule file then must keep the old rules, not stop the process.
func (c AlertingConfig) Validate() error {
	var errs []error
	for _, p := range c.RuleFiles {
		if _, err := filepath.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("alerting::rule_files: pattern %q: %w", p, err))
		}
	}
	for name, d := range map[string]time.Duration{"evaluation_interval": c.EvaluationInterval,
		"for_grace_period": c.ForGracePeriod, "outage_tolerance": c.OutageTolerance, "resend_delay": c.ResendDelay} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("alerting::%s is negative (%s): use a duration like 15s", name, d))
		}
	}
	for name := range c.ExternalLabels {
		if !model.LabelName(name).IsValid() || name == model.MetricNameLabel {
			errs = append(errs, fmt.Errorf("alerting::external_labels: %q is not a valid label name", name))
		}
	}
	if c.ExternalURL != "" {
		if u, err := url.Parse(c.ExternalURL); err != nil || u.Scheme == "" || u.Host == "" {
			errs = append(errs, fmt.Errorf("alerting::external_url %q is not an absolute URL like http://overlook.example:8080", c.ExternalURL))
		}
	}
	if c.NotificationQueueCapacity < 0 {
		errs = append(errs, fmt.Errorf("alerting::notification_queue_capacity is negative (%d)", c.NotificationQueueCapacity))
	}
	for i, am := range c.Alertmanagers {
		if _, err := am.target(); err != nil {
			errs = append(errs, fmt.Errorf("alerting::alertmanagers[%d]: %w", i, err))
		}
	}
	errs = append(errs, c.validateChannels()...)
	return errors.Join(errs...)
}

// target converts the settings for the rules engine.
func (am AlertmanagerConfig) target() (rules.Alertmanager, error) {
	u, err := url.Parse(am.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return rules.Alertmanager{}, fmt.Errorf("url %q is not an http(s) URL like http://alertmanager:9093", am.URL)
	}
	if am.Timeout < 0 {
		return rules.Alertmanager{}, fmt.Errorf("timeout is negative (%s)", am.Timeout)
	}
	t := rules.Alertmanager{URL: u, Timeout: am.Timeout, BearerToken: am.BearerToken, BearerTokenFile: am.BearerTokenFile}
	if b := am.BasicAuth; b != nil {
		if b.Username == "" {
			return t, errors.New("basic_auth::username is empty")
		}
		t.BasicAuth = &rules.BasicAuth{Username: b.Username, Password: b.Password, PasswordFile: b.PasswordFile}
	}
	if t.BasicAuth != nil && (am.BearerToken != "" || am.BearerTokenFile != "") {
		return t, errors.New("set either basic_auth or bearer_token(_file), not both")
	}
	return t, nil
}

// rulesOptions returns the rules engine's settings; apiEndpoint is the
// API's listen address, for the default external URL.
func (c AlertingConfig) rulesOptions(apiEndpoint string) (rules.Config, error) {
	out := rules.Config{
		RuleFiles: c.RuleFiles, EvaluationInterval: c.EvaluationInterval, ExternalLabels: c.ExternalLabels,
		ExternalURL: c.ExternalURL, ForGracePeriod: c.ForGracePeriod, OutageTolerance: c.OutageTolerance,
		ResendDelay: c.ResendDelay, QueueCapacity: c.NotificationQueueCapacity,
		GroupBy: c.GroupBy, RepeatInterval: c.RepeatInterval,
	}
	for _, ch := range c.Channels {
		out.Channels = append(out.Channels, ch.channel())
	}
	if out.ExternalURL == "" {
		out.ExternalURL = defaultExternalURL(apiEndpoint)
	}
	for i, am := range c.Alertmanagers {
		t, err := am.target()
		if err != nil {
			return out, fmt.Errorf("alerting::alertmanagers[%d]: %w", i, err)
		}
		out.Alertmanagers = append(out.Alertmanagers, t)
	}
	return out, nil
}

// defaultExternalURL is http://<host name>:<port of the API endpoint>.
func defaultExternalURL(endpoint string) string {
	host, port, err := net.SplitHostPort(endpoint)
	if err != nil {
		port = "8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		} else {
			host = "localhost"
		}
	}
	return "http://" + net.JoinHostPort(host, port)
}
