package overlookext

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/overlook-dev/overlook/internal/alerting/search"
)

// SearchAlertsConfig configures alerts on searches and chart tiles
// (/api/alerts; docs/alerting.md).
type SearchAlertsConfig struct {
	// EvaluationTimeout cuts one alert evaluation's query (reported as the
	// alert's error state). Default 30s; an evaluation never runs longer
	// than the alert's interval either.
	EvaluationTimeout time.Duration `mapstructure:"evaluation_timeout"`
	// ExternalURL is the UI's address as users reach it, for links in
	// notices (e.g. https://overlook.example.com). Empty: the scheme and
	// Host of the request that saved the alert.
	ExternalURL string `mapstructure:"external_url"`
	// NotificationAttempts bounds the deliveries of one notice (first
	// try included). Default 4.
	NotificationAttempts int `mapstructure:"notification_attempts"`
	// NotificationBackoff is the wait before the first retry, doubled
	// each retry up to NotificationMaxBackoff. Defaults 1s and 30s.
	NotificationBackoff    time.Duration `mapstructure:"notification_backoff"`
	NotificationMaxBackoff time.Duration `mapstructure:"notification_max_backoff"`
}

// Validate checks the search_alerts keys.
func (c SearchAlertsConfig) Validate() error {
	var errs []error
	if c.EvaluationTimeout < 0 || c.NotificationBackoff < 0 || c.NotificationMaxBackoff < 0 || c.NotificationAttempts < 0 {
		errs = append(errs, errors.New("search_alerts: evaluation_timeout, notification_attempts, notification_backoff and notification_max_backoff must not be negative"))
	}
	if c.ExternalURL != "" {
		u, err := url.Parse(c.ExternalURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("search_alerts::external_url %q is not an http(s) URL: use e.g. https://overlook.example.com", c.ExternalURL))
		}
	}
	return errors.Join(errs...)
}

func (c SearchAlertsConfig) retry() search.RetryConfig {
	return search.RetryConfig{Attempts: c.NotificationAttempts, InitialBackoff: c.NotificationBackoff, MaxBackoff: c.NotificationMaxBackoff}
}
