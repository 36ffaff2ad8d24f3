package overlookext

import (
	"strings"
	"testing"
	"time"
)

func TestSearchAlertsConfigValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  SearchAlertsConfig
		want string
	}{
		{SearchAlertsConfig{}, ""},
		{SearchAlertsConfig{EvaluationTimeout: 5 * time.Second, ExternalURL: "https://overlook.example.com"}, ""},
		{SearchAlertsConfig{EvaluationTimeout: -time.Second}, "must not be negative"},
		{SearchAlertsConfig{ExternalURL: "overlook.example.com"}, "search_alerts::external_url"},
	} {
		err := c.cfg.Validate()
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
	cfg := createDefaultConfig()
	cfg.SearchAlerts.ExternalURL = "ftp://x"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "search_alerts::external_url") {
		t.Errorf("Config.Validate did not check search_alerts: %v", err)
	}
}
