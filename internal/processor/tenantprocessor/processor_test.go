package tenantprocessor

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/overlook-dev/overlook/internal/tenancy"
)

// TestStamp: the request's tenant overwrites a client-sent attribute; no
// tenant removes it.
func TestStamp(t *testing.T) {
	for _, tc := range []struct {
		name, ctxTenant, sent, want string
	}{
		{"overwrites", "a", "b", "a"},
		{"sets", "a", "", "a"},
		{"removes", "", "b", ""},
		{"nothing", "", "", ""},
	} {
		res := pcommon.NewResource()
		if tc.sent != "" {
			res.Attributes().PutStr(tenancy.ResourceAttribute, tc.sent)
		}
		ctx := context.Background()
		if tc.ctxTenant != "" {
			ctx = tenancy.With(ctx, tc.ctxTenant)
		}
		Stamp(ctx, res)
		v, ok := res.Attributes().Get(tenancy.ResourceAttribute)
		if got := v.Str(); ok != (tc.want != "") || got != tc.want {
			t.Errorf("%s: %q %v, want %q", tc.name, got, ok, tc.want)
		}
	}
}
