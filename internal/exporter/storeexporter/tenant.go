package storeexporter

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/tenancy"
)

// Tenancy: with multitenancy on, every resource carries its tenant in
// tenancy.ResourceAttribute (set by the overlook_tenant processor from
// the request's tenant, which survives connectors that lose the
// context). The exporter groups resources by it, removes it, and writes
// each group to its tenant's store. A resource without it belongs to the
// context's tenant, else the default one. With multitenancy off nothing
// is grouped or removed: everything is the default tenant's, as before.
//
// A batch of several tenants is written all or nothing as far as overlook
// can decide before writing: every tenant's part is prepared first — its
// store opened (max_tenants refuses with 429), its limits applied and its
// timestamps checked (400) — and only when every part passed is any part
// written. A refusal before the writes stores nothing, so the sender's
// retry stores each record once. (Ingestion rates are taken before the
// pipeline, for the whole request: internal/distro/admission.go.) What
// can still happen: a write that fails after another tenant's part was
// committed (that store overloaded or unavailable, 503). The batch is then
// refused, retryably, and the retry stores the committed part again.
// Committed rows cannot be taken back — they are fsync'd in another
// tenant's store — and acknowledging the batch would lose the part that
// failed; a duplicate is the least bad of the three. The writes stop at
// the first failure, so the parts after it are not written twice.

// tenancyInfo is implemented by the extension.
type tenancyInfo interface{ MultitenancyEnabled() bool }

var _ tenancyInfo = (*overlookext.Extension)(nil)

// group is one tenant's share of a batch.
type group[T any] struct {
	tenant string
	data   T
}

// resourceTenant is res's tenant (and whether res names it).
func resourceTenant(res pcommon.Resource, fallback string) (string, bool) {
	if v, ok := res.Attributes().Get(tenancy.ResourceAttribute); ok {
		if t := v.AsString(); tenancy.Validate(t) == nil {
			return t, true
		}
		return fallback, true // stamped by no processor of ours: not a tenant
	}
	return fallback, false
}

// ctxTenant is the request's tenant, else the default.
func ctxTenant(ctx context.Context) string {
	if t, ok := tenancy.From(ctx); ok {
		return t
	}
	return tenancy.Default
}

// tracesByTenant splits td by tenant. td is shared with other consumers
// (the connectors): it is copied when it must change.
func (e *storeExporter) tracesByTenant(ctx context.Context, td ptrace.Traces) []group[ptrace.Traces] {
	fallback := ctxTenant(ctx)
	if !e.tenancy {
		return []group[ptrace.Traces]{{fallback, td}}
	}
	rss := td.ResourceSpans()
	first, stamped, mixed := "", false, false
	for i := 0; i < rss.Len(); i++ {
		t, has := resourceTenant(rss.At(i).Resource(), fallback)
		stamped = stamped || has
		if i == 0 {
			first = t
		} else if t != first {
			mixed = true
		}
	}
	if !stamped {
		return []group[ptrace.Traces]{{fallback, td}}
	}
	var out []group[ptrace.Traces]
	idx := map[string]int{}
	for i := 0; i < rss.Len(); i++ {
		t, _ := resourceTenant(rss.At(i).Resource(), fallback)
		if !mixed {
			t = first
		}
		j, ok := idx[t]
		if !ok {
			j = len(out)
			idx[t] = j
			out = append(out, group[ptrace.Traces]{t, ptrace.NewTraces()})
		}
		dst := out[j].data.ResourceSpans().AppendEmpty()
		rss.At(i).CopyTo(dst)
		dst.Resource().Attributes().Remove(tenancy.ResourceAttribute)
	}
	return out
}

// logsByTenant splits ld by tenant, in place when it is one tenant's.
func (e *storeExporter) logsByTenant(ctx context.Context, ld plog.Logs) []group[plog.Logs] {
	fallback := ctxTenant(ctx)
	if !e.tenancy {
		return []group[plog.Logs]{{fallback, ld}}
	}
	rls := ld.ResourceLogs()
	byTenant := map[string]plog.Logs{}
	var order []string
	for i := 0; i < rls.Len(); i++ {
		t, _ := resourceTenant(rls.At(i).Resource(), fallback)
		if _, ok := byTenant[t]; !ok {
			byTenant[t] = plog.NewLogs()
			order = append(order, t)
		}
	}
	if len(order) <= 1 {
		for i := 0; i < rls.Len(); i++ {
			rls.At(i).Resource().Attributes().Remove(tenancy.ResourceAttribute)
		}
		if len(order) == 0 {
			order = []string{fallback}
		}
		return []group[plog.Logs]{{order[0], ld}}
	}
	for i := 0; i < rls.Len(); i++ {
		t, _ := resourceTenant(rls.At(i).Resource(), fallback)
		dst := byTenant[t].ResourceLogs().AppendEmpty()
		rls.At(i).MoveTo(dst)
		dst.Resource().Attributes().Remove(tenancy.ResourceAttribute)
	}
	out := make([]group[plog.Logs], 0, len(order))
	for _, t := range order {
		out = append(out, group[plog.Logs]{t, byTenant[t]})
	}
	return out
}

// metricsByTenant splits md by tenant, in place when it is one tenant's.
func (e *storeExporter) metricsByTenant(ctx context.Context, md pmetric.Metrics) []group[pmetric.Metrics] {
	fallback := ctxTenant(ctx)
	if !e.tenancy {
		return []group[pmetric.Metrics]{{fallback, md}}
	}
	rms := md.ResourceMetrics()
	byTenant := map[string]pmetric.Metrics{}
	var order []string
	for i := 0; i < rms.Len(); i++ {
		t, _ := resourceTenant(rms.At(i).Resource(), fallback)
		if _, ok := byTenant[t]; !ok {
			byTenant[t] = pmetric.NewMetrics()
			order = append(order, t)
		}
	}
	if len(order) <= 1 {
		for i := 0; i < rms.Len(); i++ {
			rms.At(i).Resource().Attributes().Remove(tenancy.ResourceAttribute)
		}
		if len(order) == 0 {
			order = []string{fallback}
		}
		return []group[pmetric.Metrics]{{order[0], md}}
	}
	for i := 0; i < rms.Len(); i++ {
		t, _ := resourceTenant(rms.At(i).Resource(), fallback)
		dst := byTenant[t].ResourceMetrics().AppendEmpty()
		rms.At(i).MoveTo(dst)
		dst.Resource().Attributes().Remove(tenancy.ResourceAttribute)
	}
	out := make([]group[pmetric.Metrics], 0, len(order))
	for _, t := range order {
		out = append(out, group[pmetric.Metrics]{t, byTenant[t]})
	}
	return out
}

// storeFor is tenant's store. Past multitenancy::max_tenants the export
// is refused with ResourceExhausted (HTTP 429).
func (e *storeExporter) storeFor(ctx context.Context, tenant string) (store.Store, error) {
	st, err := e.provider.StoreFor(ctx, tenant)
	switch {
	case errors.Is(err, overlookext.ErrTooManyTenants):
		return nil, status.Error(codes.ResourceExhausted, err.Error())
	case err != nil:
		return nil, err
	case st == nil:
		return nil, store.ErrClosed
	}
	return st, nil
}
