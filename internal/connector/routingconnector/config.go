// Package routingconnector is overlook's `routing` connector for logs: it
// sends each log record to the pipelines of the first table entry whose
// OTTL condition matches it, and the rest to default_pipelines. Its
// configuration is the one of the collector-contrib routing connector
// (table of context/statement|condition/pipelines, default_pipelines,
// error_mode), so ClickStack-style configurations keep working; contrib's
// own module is not used because no release of it matching the collector
// version overlook builds with is served (docs/architecture.md).
package routingconnector

import (
	"errors"
	"fmt"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pipeline"
	"go.uber.org/zap"
)

// Contexts an entry of the table can be evaluated in.
const (
	ContextResource = "resource" // the default, as in contrib
	ContextLog      = "log"
)

// Config is the connector's configuration.
type Config struct {
	// DefaultPipelines receive what no entry of Table matched (dropped
	// when empty).
	DefaultPipelines []pipeline.ID `mapstructure:"default_pipelines"`
	// ErrorMode is what a condition that fails to evaluate does: ignore
	// (logged, no match), silent (no match) or propagate (the batch fails).
	ErrorMode ottl.ErrorMode `mapstructure:"error_mode"`
	// Table is evaluated in order; the first matching entry wins.
	Table []RoutingTableItem `mapstructure:"table"`
}

// RoutingTableItem is one route.
type RoutingTableItem struct {
	// Context is resource (default) or log.
	Context string `mapstructure:"context"`
	// Statement is `route() where <condition>`; Condition is the bare
	// condition. Exactly one of them is set.
	Statement string `mapstructure:"statement"`
	Condition string `mapstructure:"condition"`
	// Pipelines receive the matched data.
	Pipelines []pipeline.ID `mapstructure:"pipelines"`
}

func createDefaultConfig() component.Config {
	return &Config{ErrorMode: ottl.PropagateError}
}

// Validate checks the table and parses every condition, so that a bad one
// fails `overlook config validate` instead of the first request.
func (c *Config) Validate() error {
	if len(c.Table) == 0 {
		return errors.New("routing: `table` is empty: add at least one entry {statement or condition, pipelines}")
	}
	if _, err := newRoutes(c.Table, component.TelemetrySettings{Logger: zap.NewNop()}); err != nil {
		return err
	}
	return nil
}

// condition returns the entry's condition text: Condition, or the part of
// Statement after `route() where`.
func (it RoutingTableItem) condition(i int) (string, error) {
	switch {
	case it.Statement != "" && it.Condition != "":
		return "", fmt.Errorf("routing: table[%d] sets both statement and condition: keep one", i)
	case it.Condition != "":
		return it.Condition, nil
	case it.Statement != "":
		s := strings.TrimSpace(it.Statement)
		rest, ok := strings.CutPrefix(s, "route()")
		if !ok {
			return "", fmt.Errorf("routing: table[%d].statement %q: only `route() where <condition>` is supported", i, it.Statement)
		}
		rest = strings.TrimSpace(rest)
		cond, ok := strings.CutPrefix(rest, "where")
		if !ok || strings.TrimSpace(cond) == "" || strings.TrimLeft(cond, " \t\n") == cond {
			return "", fmt.Errorf("routing: table[%d].statement %q has no `where <condition>`", i, it.Statement)
		}
		return strings.TrimSpace(cond), nil
	default:
		return "", fmt.Errorf("routing: table[%d] has neither statement nor condition: set `condition: <OTTL condition>`", i)
	}
}
