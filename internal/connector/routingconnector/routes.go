package routingconnector

import (
	"context"
	"fmt"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottllog"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/ottlresource"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pipeline"
)

// route is one parsed table entry: exactly one of res and log is set.
type route struct {
	text      string
	pipelines []pipeline.ID
	res       *ottl.Condition[*ottlresource.TransformContext]
	log       *ottl.Condition[*ottllog.TransformContext]
}

// newRoutes parses the table's conditions with the OTTL standard
// converters (IsMatch, Len, …) of their context.
func newRoutes(table []RoutingTableItem, set component.TelemetrySettings) ([]route, error) {
	resParser, err := ottlresource.NewParser(ottlfuncs.StandardConverters[*ottlresource.TransformContext](), set)
	if err != nil {
		return nil, fmt.Errorf("routing: resource parser: %w", err)
	}
	logParser, err := ottllog.NewParser(ottlfuncs.StandardConverters[*ottllog.TransformContext](), set)
	if err != nil {
		return nil, fmt.Errorf("routing: log parser: %w", err)
	}
	routes := make([]route, 0, len(table))
	for i, it := range table {
		if len(it.Pipelines) == 0 {
			return nil, fmt.Errorf("routing: table[%d] has no pipelines: name the pipelines that receive its data", i)
		}
		text, err := it.condition(i)
		if err != nil {
			return nil, err
		}
		r := route{text: text, pipelines: it.Pipelines}
		switch it.Context {
		case "", ContextResource:
			if r.res, err = resParser.ParseCondition(text); err != nil {
				return nil, fmt.Errorf("routing: table[%d] (context resource): %w", i, err)
			}
		case ContextLog:
			if r.log, err = logParser.ParseCondition(text); err != nil {
				return nil, fmt.Errorf("routing: table[%d] (context log): %w", i, err)
			}
		default:
			return nil, fmt.Errorf("routing: table[%d].context %q is not supported: use resource (default) or log", i, it.Context)
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// matchResource / matchLog evaluate the route on one resource or record;
// a route of the other context never matches at that level.
func (r *route) matchResource(ctx context.Context, rl plog.ResourceLogs) (bool, error) {
	if r.res == nil {
		return false, nil
	}
	tCtx := ottlresource.NewTransformContextPtr(rl.Resource(), rl)
	defer tCtx.Close()
	return r.res.Eval(ctx, tCtx)
}

func (r *route) matchLog(ctx context.Context, rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord) (bool, error) {
	if r.log == nil {
		return false, nil
	}
	tCtx := ottllog.NewTransformContextPtr(rl, sl, lr)
	defer tCtx.Close()
	return r.log.Eval(ctx, tCtx)
}
