package routingconnector

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
)

// Type is the connector's component type, contrib's name for it.
var Type = component.MustNewType("routing")

// NewFactory returns the factory of the logs-to-logs routing connector.
func NewFactory() connector.Factory {
	return connector.NewFactory(Type, createDefaultConfig,
		connector.WithLogsToLogs(createLogsToLogs, component.StabilityLevelAlpha))
}

func createLogsToLogs(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Logs) (connector.Logs, error) {
	c := cfg.(*Config)
	router, ok := next.(connector.LogsRouterAndConsumer)
	if !ok {
		return nil, errors.New("routing: the next consumer is not a logs router")
	}
	routes, err := newRoutes(c.Table, set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r := &logsRouter{errorMode: c.ErrorMode, logger: set.Logger, routes: routes}
	r.consumers = make([]consumer.Logs, len(routes))
	for i, rt := range routes {
		if r.consumers[i], err = router.Consumer(rt.pipelines...); err != nil {
			return nil, fmt.Errorf("routing: table[%d].pipelines %v: %w", i, rt.pipelines, err)
		}
	}
	if len(c.DefaultPipelines) > 0 {
		if r.fallback, err = router.Consumer(c.DefaultPipelines...); err != nil {
			return nil, fmt.Errorf("routing: default_pipelines %v: %w", c.DefaultPipelines, err)
		}
	}
	return r, nil
}

type logsRouter struct {
	component.StartFunc
	component.ShutdownFunc
	errorMode ottl.ErrorMode
	logger    *zap.Logger
	routes    []route
	consumers []consumer.Logs // consumers[i] receives routes[i]'s data
	fallback  consumer.Logs   // nil: unmatched data is dropped
}

func (r *logsRouter) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

// ConsumeLogs splits ld by route: each log record goes to the first route
// that matches its resource (resource context) or itself (log context),
// in table order; the rest to the default pipelines. When every record has
// the same destination (the usual batch: no recordings, or only
// recordings), ld is passed on as it is, without a copy.
func (r *logsRouter) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	var dests []int // per record, in order; index into routes, len(routes) = default
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		resRoute, err := r.firstResourceMatch(ctx, rl)
		if err != nil {
			return err
		}
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				dest, err := r.destination(ctx, resRoute, rl, sl, lrs.At(k))
				if err != nil {
					return err
				}
				dests = append(dests, dest)
			}
		}
	}
	if len(dests) == 0 {
		return nil
	}
	if !slices.ContainsFunc(dests, func(d int) bool { return d != dests[0] }) {
		if c := r.consumer(dests[0]); c != nil {
			return c.ConsumeLogs(ctx, ld)
		}
		return nil
	}
	outs := make([]*output, len(r.routes)+1)
	n := 0
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				dest := dests[n]
				n++
				if r.consumer(dest) == nil {
					continue
				}
				if outs[dest] == nil {
					outs[dest] = newOutput()
				}
				outs[dest].add(i, j, rl, sl, lrs.At(k))
			}
		}
	}
	var errs []error
	for i, o := range outs {
		if o == nil {
			continue
		}
		if err := r.consumer(i).ConsumeLogs(ctx, o.logs); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// consumer is the consumer of destination d (an index into routes, or
// len(routes) for the default pipelines); nil: unmatched data is dropped
// (no default_pipelines), as in contrib.
func (r *logsRouter) consumer(d int) consumer.Logs {
	if d < len(r.routes) {
		return r.consumers[d]
	}
	return r.fallback
}

// firstResourceMatch is the index of the first resource-context route
// matching rl, or -1.
func (r *logsRouter) firstResourceMatch(ctx context.Context, rl plog.ResourceLogs) (int, error) {
	for i := range r.routes {
		ok, err := r.routes[i].matchResource(ctx, rl)
		if err != nil {
			if err = r.handle(err, i); err != nil {
				return -1, err
			}
			continue
		}
		if ok {
			return i, nil
		}
	}
	return -1, nil
}

// destination is the index in outs of the record's first matching route:
// a log-context route before resRoute, else resRoute, else the default.
func (r *logsRouter) destination(ctx context.Context, resRoute int, rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord) (int, error) {
	limit := len(r.routes)
	if resRoute >= 0 {
		limit = resRoute
	}
	for i := 0; i < limit; i++ {
		ok, err := r.routes[i].matchLog(ctx, rl, sl, lr)
		if err != nil {
			if err = r.handle(err, i); err != nil {
				return 0, err
			}
			continue
		}
		if ok {
			return i, nil
		}
	}
	if resRoute >= 0 {
		return resRoute, nil
	}
	return len(r.routes), nil
}

// handle applies error_mode to a condition's evaluation error: nil means
// "no match, go on".
func (r *logsRouter) handle(err error, i int) error {
	switch r.errorMode {
	case ottl.SilentError:
		return nil
	case ottl.IgnoreError:
		r.logger.Warn("routing: condition failed, treated as no match", zap.String("condition", r.routes[i].text), zap.Error(err))
		return nil
	default:
		return fmt.Errorf("routing: table[%d] condition %q: %w", i, r.routes[i].text, err)
	}
}

// output accumulates one route's records, keeping their resource and
// scope: one ResourceLogs per source resource, one ScopeLogs per source
// scope.
type output struct {
	logs   plog.Logs
	res    map[int]plog.ResourceLogs
	scopes map[[2]int]plog.ScopeLogs
}

func newOutput() *output {
	return &output{logs: plog.NewLogs(), res: map[int]plog.ResourceLogs{}, scopes: map[[2]int]plog.ScopeLogs{}}
}

func (o *output) add(i, j int, rl plog.ResourceLogs, sl plog.ScopeLogs, lr plog.LogRecord) {
	dst, ok := o.scopes[[2]int{i, j}]
	if !ok {
		drl, ok := o.res[i]
		if !ok {
			drl = o.logs.ResourceLogs().AppendEmpty()
			rl.Resource().CopyTo(drl.Resource())
			drl.SetSchemaUrl(rl.SchemaUrl())
			o.res[i] = drl
		}
		dst = drl.ScopeLogs().AppendEmpty()
		sl.Scope().CopyTo(dst.Scope())
		dst.SetSchemaUrl(sl.SchemaUrl())
		o.scopes[[2]int{i, j}] = dst
	}
	lr.CopyTo(dst.LogRecords().AppendEmpty())
}
