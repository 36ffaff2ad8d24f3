package distro

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"go.opentelemetry.io/collector/otelcol"
	"gopkg.in/yaml.v3"

	"github.com/overlook-dev/overlook/internal/alerting/rules"
	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// Print writes the effective merged configuration as YAML.
func Print(ctx context.Context, s Sources, w io.Writer) error {
	conf, err := Resolve(ctx, s)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(conf.ToStringMap()); err != nil {
		return fmt.Errorf("print configuration: %w", err)
	}
	return enc.Close()
}

// Validate checks the merged configuration the way `serve` would load it:
// every file parses, every component's settings decode and validate,
// every pipeline refers to defined components, and the Prometheus rule
// files (extensions::overlook::alerting::rule_files) load. When it fails, it names the
// first source (file, --data or --set) whose addition makes it fail.
func Validate(ctx context.Context, s Sources) error {
	err := dryRun(ctx, s)
	if err == nil {
		return checkRuleFiles(ctx, s)
	}
	// Find the culprit: grow the source list one step at a time.
	steps := prefixes(s)
	for _, p := range steps {
		if perr := dryRun(ctx, p.sources); perr != nil {
			return fmt.Errorf("invalid configuration after merging %s: %w", p.name, perr)
		}
	}
	return fmt.Errorf("invalid configuration: %w", err)
}

type step struct {
	name    string
	sources Sources
}

// prefixes lists the source lists default, default+custom, ... in merge
// order, each with the name of the source it adds.
func prefixes(s Sources) []step {
	var out []step
	var cur Sources
	out = append(out, step{"the built-in default", cur})
	if s.Custom != "" {
		cur.Custom = s.Custom
		out = append(out, step{fmt.Sprintf("%s (%s)", s.Custom, CustomConfigEnv), cur})
	}
	for _, f := range s.Files {
		cur.Files = append(append([]string{}, cur.Files...), f)
		out = append(out, step{f, cur})
	}
	if s.DataDir != "" {
		cur.DataDir = s.DataDir
		out = append(out, step{"--data " + s.DataDir, cur})
	}
	for _, kv := range s.Sets {
		cur.Sets = append(append([]string{}, cur.Sets...), kv)
		out = append(out, step{"--set " + kv, cur})
	}
	return out
}

func dryRun(ctx context.Context, s Sources) error {
	set, err := CollectorSettings(s, "validate", telemetry.New())
	if err != nil {
		return err
	}
	col, err := otelcol.NewCollector(set)
	if err != nil {
		return err
	}
	return col.DryRun(ctx)
}

// checkRuleFiles validates the rule files of extensions::overlook::alerting
// (after the configuration itself is valid): the errors name file, line,
// group and rule. The extension's own Validate does not do it, since a
// collector reload (SIGHUP) runs that again, and broken rule files must
// then keep the running rules rather than stop the server.
func checkRuleFiles(ctx context.Context, s Sources) error {
	conf, err := Resolve(ctx, s)
	if err != nil {
		return err
	}
	const key = "extensions::overlook::alerting"
	if !conf.IsSet(key) {
		return nil
	}
	sub, err := conf.Sub(key)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	var a overlookext.AlertingConfig
	if err := sub.Unmarshal(&a); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if err := rules.CheckFiles(a.RuleFiles, slog.New(slog.DiscardHandler)); err != nil {
		return fmt.Errorf("invalid rule files (%s::rule_files): fix or remove them:\n%w", key, err)
	}
	return nil
}
