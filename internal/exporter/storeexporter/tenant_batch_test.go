package storeexporter

import (
	"context"
	"math"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// tenantStores gives every tenant a countingStore of its own; StoreFor
// answers refuse[tenant] instead while it is set.
type tenantStores struct {
	stores map[string]*countingStore
	refuse map[string]error
}

func (p *tenantStores) Store() store.Store { return p.of(tenancy.Default) }

func (p *tenantStores) StoreFor(_ context.Context, tenant string) (store.Store, error) {
	if err := p.refuse[tenant]; err != nil {
		return nil, err
	}
	return p.of(tenant), nil
}

func (p *tenantStores) of(tenant string) *countingStore {
	if p.stores[tenant] == nil {
		p.stores[tenant] = &countingStore{}
	}
	return p.stores[tenant]
}

// mixedSpans is one batch of spans of several tenants: n spans for each
// tenant named, each tenant's resource stamped as the overlook_tenant
// processor (or a user's transform) stamps it.
func mixedSpans(n int, tenants ...string) ptrace.Traces {
	td := ptrace.NewTraces()
	for _, tnt := range tenants {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr(tenancy.ResourceAttribute, tnt)
		ss := rs.ScopeSpans().AppendEmpty().Spans()
		for range n {
			ss.AppendEmpty().SetName("s")
		}
	}
	return td
}

// TestMixedTenantBatch: a batch of several tenants whose part for one
// tenant is refused before anything is written (its store refused:
// max_tenants, unavailable; its data invalid) stores nothing at all, so
// that the sender's retry — once the refusal is gone — leaves every
// tenant with each record exactly once. (The old exporter wrote tenant
// a's part and then refused the batch for b: a's spans were stored twice.)
func TestMixedTenantBatch(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error // StoreFor's answer for tenant b on the first attempt
		far   bool  // b's span ends after 2262 instead
		code  codes.Code
		retry bool // the sender retries (the refusal was retryable)
	}{
		{"b over max_tenants", overlookext.ErrTooManyTenants, false, codes.ResourceExhausted, true},
		{"b's store unavailable", store.ErrUnavailable, false, codes.Unavailable, true},
		{"b's span past 2262", nil, true, codes.InvalidArgument, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _, _ := tenantExporter(t, overrides.Config{})
			p := &tenantStores{stores: map[string]*countingStore{}, refuse: map[string]error{"b": tc.err}}
			e.provider, e.tenancy = p, true
			batch := mixedSpans(2, "a", "b", "c")
			if tc.far {
				far := pcommon.Timestamp(math.MaxInt64)
				batch.ResourceSpans().At(1).ScopeSpans().At(0).Spans().At(0).SetEndTimestamp(far)
			}
			err := e.pushTraces(context.Background(), batch)
			if status.Code(err) != tc.code {
				t.Fatalf("first attempt: %v, want %v", err, tc.code)
			}
			for _, tnt := range []string{"a", "b", "c"} {
				if n := p.of(tnt).spans; n != 0 {
					t.Errorf("after the refusal tenant %s holds %d spans, want 0: its retry would store them again", tnt, n)
				}
			}
			if !tc.retry {
				return
			}
			delete(p.refuse, "b")
			if err := e.pushTraces(context.Background(), batch); err != nil {
				t.Fatalf("retry: %v", err)
			}
			for _, tnt := range []string{"a", "b", "c"} {
				if n := p.of(tnt).spans; n != 2 {
					t.Errorf("after the retry tenant %s holds %d spans, want each of its 2 once", tnt, n)
				}
			}
		})
	}

	// Logs: the same, through the logs path.
	e, _, _ := tenantExporter(t, overrides.Config{})
	p := &tenantStores{stores: map[string]*countingStore{}, refuse: map[string]error{"b": store.ErrUnavailable}}
	e.provider, e.tenancy = p, true
	logsOf := func() plog.Logs {
		ld := plog.NewLogs()
		for _, tnt := range []string{"a", "b"} {
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr(tenancy.ResourceAttribute, tnt)
			rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("x")
		}
		return ld
	}
	if err := e.pushLogs(context.Background(), logsOf()); status.Code(err) != codes.Unavailable {
		t.Fatalf("logs: %v, want Unavailable", err)
	}
	delete(p.refuse, "b")
	if err := e.pushLogs(context.Background(), logsOf()); err != nil {
		t.Fatal(err)
	}
	if a, b := p.of("a").logs, p.of("b").logs; a != 1 || b != 1 {
		t.Errorf("logs after the retry: a %d, b %d; want 1 each", a, b)
	}
}

// TestMixedTenantSeriesLimit: tenant a's new series past its
// max_active_series are refused (400) but tenant b's part of the same
// batch is still stored — the old exporter returned at a's refusal and
// never wrote b's points, which the sender, told 400, does not resend.
func TestMixedTenantSeriesLimit(t *testing.T) {
	e, _, _ := tenantExporter(t, overrides.Config{Tenants: map[string]overrides.Limits{"a": {MaxActiveSeries: 1}}})
	p := &tenantStores{stores: map[string]*countingStore{}}
	e.provider, e.tenancy = p, true
	md := pmetric.NewMetrics()
	for _, tnt := range []string{"a", "b"} {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr(tenancy.ResourceAttribute, tnt)
		ms := rm.ScopeMetrics().AppendEmpty().Metrics()
		for _, job := range []string{"x", "y"} {
			g := ms.AppendEmpty()
			g.SetName("up")
			g.SetEmptyGauge().DataPoints().AppendEmpty().Attributes().PutStr("job", job)
		}
	}
	err := e.pushMetrics(context.Background(), md)
	wantCode(t, err, codes.InvalidArgument, 0, `tenant "a" has reached its 1 active series`)
	if a, b := p.of("a").points, p.of("b").points; a != 1 || b != 2 {
		t.Errorf("stored points: a %d, b %d; want 1 (its first series) and 2", a, b)
	}
}
