package overlookext

import (
	"strings"
	"testing"
	"time"
)

// TestAlertingConfigValidate: each mistake is refused with its key and
// a fix; good settings convert for the rules engine.
func TestAlertingConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  AlertingConfig
		want string // "" = valid
	}{
		{"empty", AlertingConfig{}, ""},
		{"full", AlertingConfig{RuleFiles: []string{"/etc/rules/*.yml"}, EvaluationInterval: 15 * time.Second,
			ExternalLabels: map[string]string{"cluster": "prod"}, ExternalURL: "https://overlook.example",
			Alertmanagers: []AlertmanagerConfig{{URL: "http://am:9093/prefix", Timeout: 5 * time.Second,
				BasicAuth: &BasicAuthConfig{Username: "u", Password: "p"}}, {URL: "https://am2", BearerToken: "t"}}}, ""},
		{"bad glob", AlertingConfig{RuleFiles: []string{"[x"}}, `alerting::rule_files: pattern "[x"`},
		{"negative interval", AlertingConfig{EvaluationInterval: -time.Second}, "alerting::evaluation_interval is negative"},
		{"bad label", AlertingConfig{ExternalLabels: map[string]string{"__name__": "x"}}, `alerting::external_labels: "__name__"`},
		{"relative external url", AlertingConfig{ExternalURL: "/overlook"}, "alerting::external_url"},
		{"no scheme", AlertingConfig{Alertmanagers: []AlertmanagerConfig{{URL: "am:9093"}}}, `alerting::alertmanagers[0]: url "am:9093" is not an http(s) URL`},
		{"two auths", AlertingConfig{Alertmanagers: []AlertmanagerConfig{{URL: "http://am", BearerToken: "t",
			BasicAuth: &BasicAuthConfig{Username: "u"}}}}, "set either basic_auth or bearer_token"},
		{"no user", AlertingConfig{Alertmanagers: []AlertmanagerConfig{{URL: "http://am", BasicAuth: &BasicAuthConfig{}}}}, "basic_auth::username is empty"},
		{"queue", AlertingConfig{NotificationQueueCapacity: -1}, "alerting::notification_queue_capacity is negative"},
		{"channels", AlertingConfig{Channels: []RuleChannelConfig{{Name: "hook", Type: "webhook", URL: "http://hooks.example/a"},
			{Name: "slack", Type: "slack", URL: "https://hooks.slack.example/services/x"},
			{Name: "tmpl", Type: "template", URL: "https://x.example", Body: "{{.Status}}"}},
			GroupBy: []string{"alertname", "cluster"}, RepeatInterval: time.Hour}, ""},
		{"group by everything", AlertingConfig{GroupBy: []string{"..."}}, ""},
		{"channel without name", AlertingConfig{Channels: []RuleChannelConfig{{Type: "webhook", URL: "http://h.example"}}},
			"alerting::channels[0]::name is empty"},
		{"channel name twice", AlertingConfig{Channels: []RuleChannelConfig{{Name: "a", Type: "webhook", URL: "http://h.example"},
			{Name: "a", Type: "webhook", URL: "http://h.example"}}}, `alerting::channels[1]::name "a" is used twice`},
		{"channel type", AlertingConfig{Channels: []RuleChannelConfig{{Name: "a", Type: "email", URL: "http://h.example"}}},
			`alerting::channels[0] ("a"): channel.type "email" is unknown: use webhook, slack or template`},
		{"channel url", AlertingConfig{Channels: []RuleChannelConfig{{Name: "a", Type: "webhook", URL: "h.example"}}},
			`alerting::channels[0] ("a"): channel.url "h.example" is not an http(s) URL`},
		{"template without body", AlertingConfig{Channels: []RuleChannelConfig{{Name: "a", Type: "template", URL: "http://h.example"}}},
			`alerting::channels[0] ("a"): channel.body is empty`},
		{"group_by", AlertingConfig{GroupBy: []string{"alertname", "..."}}, `alerting::group_by: "..." is not a label name`},
		{"repeat", AlertingConfig{RepeatInterval: -time.Hour}, "alerting::repeat_interval is negative"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatalf("valid config refused: %v", err)
				}
				o, err := c.cfg.rulesOptions("0.0.0.0:8080")
				if err != nil || len(o.Alertmanagers) != len(c.cfg.Alertmanagers) || o.ExternalURL == "" ||
					len(o.Channels) != len(c.cfg.Channels) || len(o.GroupBy) != len(c.cfg.GroupBy) {
					t.Fatalf("rulesOptions: %+v, %v", o, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if got := defaultExternalURL("127.0.0.1:9999"); got != "http://127.0.0.1:9999" {
		t.Errorf("default external URL %q", got)
	}
}
