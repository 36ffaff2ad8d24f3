package distro

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/xconnector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// perTenant wraps a traces-to-metrics connector factory (span metrics,
// service graph) so that each tenant gets its own connector instance:
// spans are split by their resource's tenancy.ResourceAttribute (set by
// the overlook_tenant processor with multitenancy on), and every metric an
// instance emits is stamped with its tenant, so the store exporter writes
// it to the source tenant. Tenants never share series, nor the service
// graph's pairing store (a client span of one tenant never pairs with a
// server span of another). Without the attribute (multitenancy off) there
// is exactly one instance, as without the wrapper.
//
// The metrics an instance emits are admitted by their tenant's samples
// rate before they reach a pipeline (admission.go): they enter the
// collector here, not through a receiver.
func perTenant(f connector.Factory, alias component.Type) connector.Factory {
	return xconnector.NewFactory(f.Type(), f.CreateDefaultConfig,
		xconnector.WithTracesToMetrics(func(ctx context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Traces, error) {
			fan := &tenantFan{next: next, inner: map[string]connector.Traces{},
				create: func(next consumer.Metrics) (connector.Traces, error) {
					return f.CreateTracesToMetrics(ctx, set, cfg, next)
				}}
			// The untenanted instance exists from the start: it says what
			// the connector's capabilities are.
			c, err := fan.instance(context.Background(), "")
			if err != nil {
				return nil, err
			}
			fan.caps = c.Capabilities()
			return fan, nil
		}, f.TracesToMetricsStability()),
		xconnector.WithDeprecatedTypeAlias(alias),
	)
}

type tenantFan struct {
	create func(next consumer.Metrics) (connector.Traces, error)
	next   consumer.Metrics
	caps   consumer.Capabilities

	adm admission // the samples rate of the metrics emitted

	mu    sync.Mutex
	inner map[string]connector.Traces
	host  component.Host // set at Start; instances made later start with it
}

// instance returns tenant's connector, creating (and, once the fan has
// started, starting) it on first use.
func (f *tenantFan) instance(ctx context.Context, tenant string) (connector.Traces, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.inner[tenant]; ok {
		return c, nil
	}
	out := f.next
	if tenant != "" {
		stamp, err := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
			rms := md.ResourceMetrics()
			for i := 0; i < rms.Len(); i++ {
				rms.At(i).Resource().Attributes().PutStr(tenancy.ResourceAttribute, tenant)
			}
			return f.next.ConsumeMetrics(ctx, md)
		}, consumer.WithCapabilities(consumer.Capabilities{MutatesData: true}))
		if err != nil {
			return nil, err
		}
		out = stamp
	}
	payer := tenant
	if payer == "" {
		// Spans without a tenant: their metrics are stored as the
		// default tenant's (no request context at a flush).
		payer = tenancy.Default
	}
	next := out
	out, err := consumer.NewMetrics(func(ctx context.Context, md pmetric.Metrics) error {
		return f.adm.admitTenant(payer, overrides.Samples, md.DataPointCount(), func() error { return next.ConsumeMetrics(ctx, md) })
	}, consumer.WithCapabilities(next.Capabilities()))
	if err != nil {
		return nil, err
	}
	c, err := f.create(out)
	if err != nil {
		return nil, fmt.Errorf("tenant %q: %w", tenant, err)
	}
	if f.host != nil {
		// Not the request's context: the instance outlives the request
		// (its flush timer runs until Shutdown).
		if err := c.Start(context.WithoutCancel(ctx), f.host); err != nil {
			return nil, fmt.Errorf("start for tenant %q: %w", tenant, err)
		}
	}
	f.inner[tenant] = c
	return c, nil
}

func (f *tenantFan) Start(ctx context.Context, host component.Host) error {
	f.adm.start(host)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.host = host
	for t, c := range f.inner {
		if err := c.Start(ctx, host); err != nil {
			return fmt.Errorf("tenant %q: %w", t, err)
		}
	}
	return nil
}

func (f *tenantFan) Shutdown(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for _, c := range f.inner {
		errs = append(errs, c.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

func (f *tenantFan) Capabilities() consumer.Capabilities { return f.caps }

func (f *tenantFan) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	rss := td.ResourceSpans()
	tenantOf := func(i int) string {
		if v, ok := rss.At(i).Resource().Attributes().Get(tenancy.ResourceAttribute); ok {
			return v.AsString()
		}
		return ""
	}
	first, mixed := "", false
	for i := 0; i < rss.Len(); i++ {
		if t := tenantOf(i); i == 0 {
			first = t
		} else if t != first {
			mixed = true
		}
	}
	if !mixed {
		c, err := f.instance(ctx, first)
		if err != nil {
			return err
		}
		return c.ConsumeTraces(ctx, td)
	}
	groups := map[string]ptrace.Traces{}
	var order []string
	for i := 0; i < rss.Len(); i++ {
		t := tenantOf(i)
		g, ok := groups[t]
		if !ok {
			g = ptrace.NewTraces()
			groups[t] = g
			order = append(order, t)
		}
		rss.At(i).CopyTo(g.ResourceSpans().AppendEmpty())
	}
	var errs []error
	for _, t := range order {
		c, err := f.instance(ctx, t)
		if err == nil {
			err = c.ConsumeTraces(ctx, groups[t])
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
