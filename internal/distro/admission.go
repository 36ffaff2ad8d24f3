package distro

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// Admission applies the per-tenant ingestion rates
// (extensions::overlook::multitenancy::overrides, docs/limits.md) where
// data enters the collector: at every receiver, before the request reaches
// a pipeline, and at the output of the span-metrics and service-graph
// connectors (tenantconnector.go), before their metrics reach one. A
// refused request therefore reaches nothing — neither the store nor the
// connectors, which count each span they see — so a client that retries
// after 429 is stored and counted exactly once. Admitting later, in the
// store exporter, was too late: the traces pipeline hands each of its
// exporters and connectors its copy, so the connectors had counted the
// spans of a request the store then refused.
//
// The tokens of a request the pipeline refuses after admission for a
// reason its sender retries (memory_limiter, an overloaded or unavailable
// store, max_tenants) are given back: the retry takes them again.
type admission struct {
	lim atomic.Pointer[overrides.Limiter]
}

// start finds the limiter of the overlook extension among host's
// extensions: `overlook` itself, else the first (by ID) that has one.
func (a *admission) start(host component.Host) {
	exts := host.GetExtensions()
	if tl, ok := exts[component.MustNewID("overlook")].(overlookext.TenantLimiter); ok {
		a.lim.Store(tl.Limits())
		return
	}
	ids := make([]component.ID, 0, len(exts))
	for id := range exts {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y component.ID) int { return strings.Compare(x.String(), y.String()) })
	for _, id := range ids {
		if tl, ok := exts[id].(overlookext.TenantLimiter); ok {
			a.lim.Store(tl.Limits())
			return
		}
	}
}

// admit takes n items of sig from ctx's tenant (the request's, else the
// default), runs consume, and gives the tokens back when consume's error
// is one the sender retries.
func (a *admission) admit(ctx context.Context, sig overrides.Signal, n int, consume func() error) error {
	return a.admitTenant(requestTenant(ctx), sig, n, consume)
}

func (a *admission) admitTenant(tenant string, sig overrides.Signal, n int, consume func() error) error {
	res, err := a.lim.Load().Reserve(overrides.Want{Tenant: tenant, Signal: sig, N: n})
	if err != nil {
		return refusal(err)
	}
	err = consume()
	if err != nil && !consumererror.IsPermanent(err) {
		res.Cancel()
	}
	return err
}

// requestTenant is the tenant the request names (multitenancy on: the
// overlook middleware put it on the context, and the overlook_tenant
// processor stamps it on every resource), else the default tenant (tenancy
// off, or data without a request such as a scrape).
func requestTenant(ctx context.Context) string {
	if t, ok := tenancy.From(ctx); ok {
		return t
	}
	return tenancy.Default
}

// refusal is the answer to a request the limiter refused. Over the rate:
// gRPC ResourceExhausted with the delay in RetryInfo, which the OTLP/HTTP
// receiver answers as 429 with Retry-After (retryable). A request larger
// than the burst: InvalidArgument / 400, permanent (it could never pass).
// Nothing is stored either way.
func refusal(err error) error {
	var rl *overrides.RateLimitedError
	if !errors.As(err, &rl) {
		return consumererror.NewPermanent(status.Error(codes.InvalidArgument, err.Error()))
	}
	st, derr := status.New(codes.ResourceExhausted, err.Error()).WithDetails(
		&errdetails.RetryInfo{RetryDelay: durationpb.New(rl.RetryAfter)})
	if derr != nil {
		return status.Error(codes.ResourceExhausted, err.Error())
	}
	return &throttledError{st: st, err: err}
}

// throttledError carries the gRPC status and still unwraps to the
// limiter's error.
type throttledError struct {
	st  *status.Status
	err error
}

func (e *throttledError) Error() string              { return e.st.Message() }
func (e *throttledError) GRPCStatus() *status.Status { return e.st }
func (e *throttledError) Unwrap() error              { return e.err }
