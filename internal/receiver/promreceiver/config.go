package promreceiver

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"

	commonconfig "github.com/prometheus/common/config"
	promconfig "github.com/prometheus/prometheus/config"
	"go.opentelemetry.io/collector/confmap"
	"gopkg.in/yaml.v3"

	// The target sources the receiver supports besides static_configs
	// (built into discovery): their init functions register the
	// file_sd_configs and http_sd_configs keys with the config parser.
	_ "github.com/prometheus/prometheus/discovery/file"
	_ "github.com/prometheus/prometheus/discovery/http"
)

// Config is the `prometheus` receiver's configuration: the keys of the
// contrib receiver (github.com/open-telemetry/opentelemetry-collector-contrib/receiver/prometheusreceiver).
type Config struct {
	// PrometheusConfig is a Prometheus configuration file's content under
	// `config:`; only scrape_configs (and global) are used.
	PrometheusConfig *PromConfig `mapstructure:"config"`
	// TrimMetricSuffixes is accepted for compatibility; only false (the
	// default) is supported.
	TrimMetricSuffixes bool `mapstructure:"trim_metric_suffixes"`
	// TargetAllocator and APIServer are contrib features overlook does not
	// have; setting them fails validation with an explanation.
	TargetAllocator map[string]any `mapstructure:"target_allocator"`
	APIServer       map[string]any `mapstructure:"api_server"`
}

// supportedSD are the target sources a scrape config may use.
var supportedSD = []string{"static_configs", "file_sd_configs", "http_sd_configs"}

// PromConfig is a parsed Prometheus configuration. It is read from the
// collector's config map through YAML because Prometheus's config types
// decode with yaml tags and validate themselves while decoding.
type PromConfig promconfig.Config

var _ confmap.Unmarshaler = (*PromConfig)(nil)

// Unmarshal implements confmap.Unmarshaler.
func (c *PromConfig) Unmarshal(conf *confmap.Conf) error {
	raw := conf.ToStringMap()
	if len(raw) == 0 {
		return nil
	}
	if err := checkUnsupported(raw); err != nil {
		return err
	}
	out, err := yaml.Marshal(raw)
	if err != nil {
		return fmt.Errorf("prometheus config to YAML: %w", err)
	}
	parsed, err := promconfig.Load(string(out), slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("prometheus config: %w", err)
	}
	// As the contrib receiver: targets answering without a Content-Type
	// are read as Prometheus text. Set here, not later: the collector's
	// validation calls Validate on every nested value, and an empty
	// fallback protocol does not validate.
	for _, sc := range parsed.ScrapeConfigs {
		if sc.ScrapeFallbackProtocol == "" {
			sc.ScrapeFallbackProtocol = promconfig.PrometheusText0_0_4
		}
	}
	*c = PromConfig(*parsed)
	return nil
}

// checkUnsupported names the keys Prometheus knows but this receiver does
// not support, before Prometheus's own parser reports them as unknown.
func checkUnsupported(raw map[string]any) error {
	var errs []error
	for _, k := range []string{"remote_write", "remote_read", "rule_files", "alerting", "scrape_config_files", "storage", "tracing", "otlp", "runtime"} {
		if _, ok := raw[k]; ok {
			errs = append(errs, fmt.Errorf("config::%s is not supported by the prometheus receiver (only global and scrape_configs are used)", k))
		}
	}
	scs, _ := raw["scrape_configs"].([]any)
	for i, sc := range scs {
		m, _ := sc.(map[string]any)
		var keys []string
		for k := range m {
			if strings.HasSuffix(k, "_sd_configs") && !slices.Contains(supportedSD, k) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			errs = append(errs, fmt.Errorf("config::scrape_configs[%d] (job %q): %s is not supported; overlook's prometheus receiver finds targets through %s",
				i, m["job_name"], k, strings.Join(supportedSD, ", ")))
		}
	}
	return errors.Join(errs...)
}

// Validate checks the configuration the way the contrib receiver does:
// at least one scrape config, and the files it names exist.
func (c *Config) Validate() error {
	var errs []error
	if c.TrimMetricSuffixes {
		errs = append(errs, errors.New("trim_metric_suffixes: true is not supported (names follow Prometheus's OTLP translation when queried)"))
	}
	if len(c.TargetAllocator) > 0 {
		errs = append(errs, errors.New("target_allocator is not supported: list targets in static_configs, file_sd_configs or http_sd_configs"))
	}
	if len(c.APIServer) > 0 {
		errs = append(errs, errors.New("api_server is not supported: overlook serves the targets at /prometheus/api/v1/targets on its API port"))
	}
	if c.PrometheusConfig == nil || len(c.PrometheusConfig.ScrapeConfigs) == 0 {
		return errors.Join(append(errs, errors.New("config::scrape_configs is empty: add at least one scrape config"))...)
	}
	for i, sc := range c.PrometheusConfig.ScrapeConfigs {
		if err := checkHTTPFiles(sc.HTTPClientConfig); err != nil {
			errs = append(errs, fmt.Errorf("config::scrape_configs[%d] (job %q): %w", i, sc.JobName, err))
		}
	}
	return errors.Join(errs...)
}

// checkHTTPFiles reports credential and TLS files that do not exist, so a
// missing key file is a configuration error instead of failing scrapes.
func checkHTTPFiles(h commonconfig.HTTPClientConfig) error {
	files := map[string]string{}
	if a := h.Authorization; a != nil && a.CredentialsFile != "" {
		files["authorization::credentials_file"] = a.CredentialsFile
	}
	if b := h.BasicAuth; b != nil && b.PasswordFile != "" {
		files["basic_auth::password_file"] = b.PasswordFile
	}
	if h.BearerTokenFile != "" {
		files["bearer_token_file"] = h.BearerTokenFile
	}
	for k, f := range map[string]string{"tls_config::ca_file": h.TLSConfig.CAFile,
		"tls_config::cert_file": h.TLSConfig.CertFile, "tls_config::key_file": h.TLSConfig.KeyFile} {
		if f != "" {
			files[k] = f
		}
	}
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		if _, err := os.Stat(files[k]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

// promConfig returns the Prometheus configuration.
func (c *Config) promConfig() *promconfig.Config { return (*promconfig.Config)(c.PrometheusConfig) }
