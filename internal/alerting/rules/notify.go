package rules

import (
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	config_util "github.com/prometheus/common/config"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/discovery/targetgroup"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/notifier"
)

// newNotifier returns Prometheus's notifier configured with the
// Alertmanagers (API v2), the external labels and the queue capacity.
func newNotifier(cfg Config, ext labels.Labels, reg prometheus.Registerer, logger *slog.Logger) (*notifier.Manager, error) {
	n := notifier.NewManager(&notifier.Options{QueueCapacity: cfg.QueueCapacity, Registerer: reg, DrainOnShutdown: true},
		model.UTF8Validation, logger)
	pc := &config.Config{GlobalConfig: config.GlobalConfig{ExternalLabels: ext, MetricNameValidationScheme: model.UTF8Validation}}
	for i, am := range cfg.Alertmanagers {
		c := config.DefaultAlertmanagerConfig
		c.Scheme = am.URL.Scheme
		c.PathPrefix = am.URL.Path
		if am.Timeout > 0 {
			c.Timeout = model.Duration(am.Timeout)
		}
		if b := am.BasicAuth; b != nil {
			c.HTTPClientConfig.BasicAuth = &config_util.BasicAuth{Username: b.Username,
				Password: config_util.Secret(b.Password), PasswordFile: b.PasswordFile}
		}
		if am.BearerToken != "" || am.BearerTokenFile != "" {
			c.HTTPClientConfig.Authorization = &config_util.Authorization{Type: "Bearer",
				Credentials: config_util.Secret(am.BearerToken), CredentialsFile: am.BearerTokenFile}
		}
		if err := c.HTTPClientConfig.Validate(); err != nil {
			return nil, fmt.Errorf("alerting::alertmanagers[%d]: %w", i, err)
		}
		pc.AlertingConfig.AlertmanagerConfigs = append(pc.AlertingConfig.AlertmanagerConfigs, &c)
	}
	if err := n.ApplyConfig(pc); err != nil {
		return nil, fmt.Errorf("configure the Alertmanager notifier: %w", err)
	}
	return n, nil
}

// alertmanagerTargets is the notifier's "discovered" Alertmanagers: one
// static target per configured URL, keyed as config.AlertmanagerConfigs.ToMap
// keys them.
func alertmanagerTargets(ams []Alertmanager) map[string][]*targetgroup.Group {
	out := make(map[string][]*targetgroup.Group, len(ams))
	for i, am := range ams {
		key := fmt.Sprintf("config-%d", i)
		out[key] = []*targetgroup.Group{{
			Targets: []model.LabelSet{{model.AddressLabel: model.LabelValue(am.URL.Host)}},
			Source:  key,
		}}
	}
	return out
}
