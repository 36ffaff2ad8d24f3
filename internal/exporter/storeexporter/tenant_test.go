package storeexporter

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/tenancy"
)

// TestGroupByTenant: with tenancy on, resources go to the tenant their
// attribute names (else the context's, else the default), without the
// attribute; the shared traces input is left unchanged. With tenancy off
// nothing is moved or removed.
func TestGroupByTenant(t *testing.T) {
	td := ptrace.NewTraces()
	for _, tnt := range []string{"a", "b", "a", ""} {
		rs := td.ResourceSpans().AppendEmpty()
		if tnt != "" {
			rs.Resource().Attributes().PutStr(tenancy.ResourceAttribute, tnt)
		}
		rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("s-" + tnt)
	}
	ctx := tenancy.With(context.Background(), "c")
	e := &storeExporter{tenancy: true}
	groups := e.tracesByTenant(ctx, td)
	got := map[string]int{}
	for _, g := range groups {
		rss := g.data.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			if _, ok := rss.At(i).Resource().Attributes().Get(tenancy.ResourceAttribute); ok {
				t.Errorf("tenant %s: attribute left on a resource", g.tenant)
			}
		}
		got[g.tenant] += g.data.SpanCount()
	}
	if len(groups) != 3 || got["a"] != 2 || got["b"] != 1 || got["c"] != 1 {
		t.Errorf("groups %v", got)
	}
	if _, ok := td.ResourceSpans().At(0).Resource().Attributes().Get(tenancy.ResourceAttribute); !ok {
		t.Error("the shared input was changed")
	}

	ld := plog.NewLogs()
	for range 2 {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr(tenancy.ResourceAttribute, "b")
		rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	}
	lg := e.logsByTenant(context.Background(), ld)
	if len(lg) != 1 || lg[0].tenant != "b" || lg[0].data.LogRecordCount() != 2 || ld.ResourceLogs().At(1).Resource().Attributes().Len() != 0 {
		t.Errorf("one tenant's logs: %+v", lg)
	}

	off := &storeExporter{}
	td2 := ptrace.NewTraces()
	td2.ResourceSpans().AppendEmpty().Resource().Attributes().PutStr(tenancy.ResourceAttribute, "a")
	og := off.tracesByTenant(context.Background(), td2)
	if len(og) != 1 || og[0].tenant != tenancy.Default || og[0].data.ResourceSpans().At(0).Resource().Attributes().Len() != 1 {
		t.Errorf("tenancy off: %+v", og)
	}
}
