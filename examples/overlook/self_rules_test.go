// Package overlook holds the example rules for overlook's own health
// (self_rules.yml); this test checks them as promtool would.
package overlook

import (
	"log/slog"
	"slices"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// TestSelfRulesParse: the file is a valid Prometheus rule file (rulefmt,
// as `promtool check rules`), and its alerts cover what docs/self-monitoring.md
// promises: ingest refusals, commit latency, disk headroom, rule
// evaluation failures. e2e/selfmonitor_test.go checks every metric they
// read against a running overlook's /metrics.
func TestSelfRulesParse(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	groups, errs := rulefmt.ParseFile("self_rules.yml", false, model.UTF8Validation, p, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		t.Fatalf("self_rules.yml: %v", errs)
	}
	var alerts []string
	metrics := map[string]bool{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			expr, err := p.ParseExpr(r.Expr)
			if err != nil {
				t.Fatalf("%s: %v", r.Alert, err)
			}
			parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok {
					metrics[vs.Name] = true
				}
				return nil
			})
		}
	}
	for _, want := range []string{"OverlookIngestRefusals", "OverlookIngestInflightRefusals", "OverlookCommitLatencyHigh", "OverlookDiskHeadroomLow", "OverlookRuleEvaluationFailures"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("no alert %s in %v", want, alerts)
		}
	}
	for _, m := range []string{"overlook_receiver_items_total", "overlook_ingest_inflight_refused_total", "overlook_export_duration_seconds_bucket", "overlook_store_disk_free_bytes",
		"prometheus_rule_evaluation_failures_total"} {
		if !metrics[m] {
			t.Errorf("no rule reads %s (read: %v)", m, metrics)
		}
	}
}
