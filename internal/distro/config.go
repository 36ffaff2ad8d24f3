package distro

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/provider/envprovider"
	"go.opentelemetry.io/collector/confmap/provider/fileprovider"
	"go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/otelcol"

	"gopkg.in/yaml.v3"

	"github.com/overlook-dev/overlook/internal/alerting/rules"
	"github.com/overlook-dev/overlook/internal/budget"
	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

//go:embed default.yaml
var defaultConfig []byte

// DefaultConfigURI names the embedded default configuration.
const DefaultConfigURI = "overlook:default"

// CustomConfigEnv is the environment variable ClickStack uses to name a
// user configuration merged over the default; overlook honours it too.
const CustomConfigEnv = "CUSTOM_OTELCOL_CONFIG_FILE"

// Sources says where the configuration comes from. Later sources are merged
// over earlier ones: the default, then Custom, then Files in order, then
// DataDir, then Sets.
type Sources struct {
	// Custom is the value of CUSTOM_OTELCOL_CONFIG_FILE (a file path).
	Custom string
	// Files are --config values: file paths or collector config URIs
	// (file:, env:, yaml:).
	Files []string
	// DataDir, if set, overrides extensions::overlook::storage::directory.
	DataDir string
	// Sets are --set values, `a::b::c=value` as in the collector.
	Sets []string
	// Budget, if set, fills the memory settings the configuration leaves
	// unset (memory_limiter, storage::memory_limit, max_pending_rows).
	Budget *budget.Budget
}

// URIs lists the configuration URIs in merge order.
func (s Sources) URIs() ([]string, error) {
	uris := []string{DefaultConfigURI}
	if s.Custom != "" {
		uris = append(uris, asURI(s.Custom))
	}
	for _, f := range s.Files {
		uris = append(uris, asURI(f))
	}
	if s.DataDir != "" {
		uris = append(uris, "yaml:extensions::overlook::storage::directory: "+yamlQuote(s.DataDir))
	}
	for _, kv := range s.Sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--set %q: use key=value, with :: between key levels (e.g. receivers::otlp::protocols::grpc::endpoint=127.0.0.1:4317)", kv)
		}
		uris = append(uris, "yaml:"+k+": "+setValue(v))
	}
	return uris, nil
}

// setValue is a --set value as YAML: like the collector's --set, a number,
// boolean, duration or flow list keeps its type (max_pending_rows=1000 is
// an int); what YAML would read as anything but one scalar or a flow list
// (empty, a comment, "a: b", a multi-line value) is taken as a string.
func setValue(v string) string {
	var n yaml.Node
	if strings.TrimSpace(v) == "" || strings.ContainsAny(v, "#\n") || yaml.Unmarshal([]byte(v), &n) != nil ||
		len(n.Content) != 1 || (n.Content[0].Kind != yaml.ScalarNode && !(n.Content[0].Kind == yaml.SequenceNode && n.Content[0].Style == yaml.FlowStyle)) {
		return yamlQuote(v)
	}
	return v
}

// asURI turns a plain path into a file: URI; URIs pass through.
func asURI(s string) string {
	for _, scheme := range []string{"file:", "env:", "yaml:", "overlook:"} {
		if strings.HasPrefix(s, scheme) {
			return s
		}
	}
	return "file:" + s
}

func yamlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// ResolverSettings returns the confmap settings that resolve s.
func ResolverSettings(s Sources) (confmap.ResolverSettings, error) {
	uris, err := s.URIs()
	if err != nil {
		return confmap.ResolverSettings{}, err
	}
	return confmap.ResolverSettings{
		URIs: uris,
		ProviderFactories: []confmap.ProviderFactory{
			confmap.NewProviderFactory(func(confmap.ProviderSettings) confmap.Provider { return defaultProvider{} }),
			fileprovider.NewFactory(),
			envprovider.NewFactory(),
			yamlprovider.NewFactory(),
		},
		ConverterFactories: []confmap.ConverterFactory{
			confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter { return ensureExtension{} }),
			confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter { return guardReceivers{} }),
			confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter { return budgetDefaults{b: s.Budget} }),
			confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter { return pruneTraceMetrics{} }),
			confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter { return selfTelemetry{} }),
			confmap.NewConverterFactory(func(confmap.ConverterSettings) confmap.Converter { return tenantPipelines{} }),
		},
		DefaultScheme: "env",
	}, nil
}

// Resolve returns the effective merged configuration.
func Resolve(ctx context.Context, s Sources) (*confmap.Conf, error) {
	set, err := ResolverSettings(s)
	if err != nil {
		return nil, err
	}
	r, err := confmap.NewResolver(set)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	conf, err := r.Resolve(ctx)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return conf, r.Shutdown(ctx)
}

// CollectorSettings returns the settings `overlook serve` runs the collector
// with. Signals are left to the caller, which cancels Run's context.
func CollectorSettings(s Sources, version string, metrics *telemetry.Metrics) (otelcol.CollectorSettings, error) {
	rs, err := ResolverSettings(s)
	if err != nil {
		return otelcol.CollectorSettings{}, err
	}
	// One per process: a reload (SIGHUP) with broken rule files keeps
	// the rules that last loaded.
	ruleFiles := rules.NewLastGood()
	return otelcol.CollectorSettings{
		BuildInfo: component.BuildInfo{
			Command:     "overlook",
			Description: "overlook: OpenTelemetry-native observability in one binary",
			Version:     version,
		},
		Factories:               func() (otelcol.Factories, error) { return Components(metrics, overlookext.WithRuleFiles(ruleFiles)) },
		ConfigProviderSettings:  otelcol.ConfigProviderSettings{ResolverSettings: rs},
		DisableGracefulShutdown: true,
	}, nil
}

// defaultProvider serves the embedded default configuration under the
// "overlook:" scheme.
type defaultProvider struct{}

func (defaultProvider) Scheme() string { return "overlook" }

func (defaultProvider) Retrieve(_ context.Context, uri string, _ confmap.WatcherFunc) (*confmap.Retrieved, error) {
	if uri != DefaultConfigURI {
		return nil, fmt.Errorf("unknown configuration %q: the only one is %q", uri, DefaultConfigURI)
	}
	return confmap.NewRetrievedFromYAML(defaultConfig)
}

func (defaultProvider) Shutdown(context.Context) error { return nil }

// ensureExtension keeps the `overlook` extension (the store) enabled when a
// user file replaces the service::extensions list, since lists are replaced
// on merge and the store exporters cannot work without it.
type ensureExtension struct{}

func (ensureExtension) Convert(_ context.Context, conf *confmap.Conf) error {
	if !conf.IsSet("extensions::overlook") {
		return nil
	}
	var exts []any
	switch v := conf.Get("service::extensions").(type) {
	case nil:
	case []any:
		exts = v
	default:
		return fmt.Errorf("service::extensions must be a list of extension names, got %T", v)
	}
	if slices.Contains(exts, any("overlook")) {
		return nil
	}
	exts = append(slices.Clone(exts), "overlook")
	return conf.Merge(confmap.NewFromStringMap(map[string]any{
		"service": map[string]any{"extensions": exts},
	}))
}
