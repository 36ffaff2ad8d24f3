package rules

import (
	"context"
	"time"

	promrules "github.com/prometheus/prometheus/rules"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// evalIteration wraps each rule group's evaluation in a span "rule group
// <name>" of t (overlook's own traces, docs/self-monitoring.md), marked
// as an error when a rule of the group failed. Nil t: Prometheus's
// default iteration, untraced.
func evalIteration(t trace.Tracer) promrules.GroupEvalIterationFunc {
	if t == nil {
		return nil
	}
	return func(ctx context.Context, g *promrules.Group, ts time.Time) {
		ctx, sp := t.Start(ctx, "rule group "+g.Name(), trace.WithAttributes(
			attribute.String("rule_group.name", g.Name()),
			attribute.String("rule_group.file", g.File()),
			attribute.Int("rule_group.rules", len(g.Rules()))))
		defer sp.End()
		promrules.DefaultEvalIterationFunc(ctx, g, ts)
		failed := 0
		var first error
		for _, r := range g.Rules() {
			if err := r.LastError(); err != nil {
				failed++
				if first == nil {
					first = err
				}
			}
		}
		if failed > 0 {
			sp.SetAttributes(attribute.Int("rule_group.failed_rules", failed))
			sp.SetStatus(codes.Error, first.Error())
		}
	}
}
