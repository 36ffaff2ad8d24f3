package overlookext

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/auth"
)

// TestDispatchResolve: the tenant a read or remote write resolves to, or
// the refusal, for every kind of caller.
func TestDispatchResolve(t *testing.T) {
	anon := auth.Principal{Kind: "anonymous", Role: auth.Admin}
	viewerA := auth.Principal{Kind: "user", Name: "v@x", Role: auth.Viewer, Tenant: "a"}
	adminA := auth.Principal{Kind: "user", Name: "adm@x", Role: auth.Admin, Tenant: "a"}
	unbound := auth.Principal{Kind: "token", Name: "grafana", Role: auth.Viewer}
	keyB := auth.Principal{Kind: "ingest", Tenant: "b"}
	keyAny := auth.Principal{Kind: "ingest"}
	cases := []struct {
		name   string
		cross  bool
		p      auth.Principal
		path   string
		header string
		want   string
		code   int
		msg    string
	}{
		{"anonymous with header", false, anon, "/api/search", "a", "a", 0, ""},
		{"anonymous without header", false, anon, "/api/search", "", "", 401, "set the X-Scope-OrgID header"},
		{"bound viewer, no header", false, viewerA, "/api/search", "", "a", 0, ""},
		{"bound viewer, own header", false, viewerA, "/api/search", "a", "a", 0, ""},
		{"bound viewer, other tenant", false, viewerA, "/api/search", "b", "", 403, `cannot read tenant "b"`},
		{"bound admin chooses", false, adminA, "/api/search", "b", "b", 0, ""},
		{"bound admin, no header", false, adminA, "/api/search", "", "a", 0, ""},
		{"unbound token, no header", false, unbound, "/api/search", "", "default", 0, ""},
		{"unbound token chooses", false, unbound, "/api/search", "b", "b", 0, ""},
		{"bad tenant name", false, anon, "/api/search", "../x", "", 400, "not a valid tenant name"},
		{"cross off", false, anon, "/tempo/api/search", "a|b", "", 400, "cross_tenant_reads: true"},
		{"cross on, admin", true, anon, "/tempo/api/search", "a|b", "a|b", 0, ""},
		{"cross on, unbound viewer", true, unbound, "/tempo/api/search", "a|b", "", 403, "admins only"},
		{"cross on, bound viewer", true, viewerA, "/tempo/api/search", "a|b", "", 403, "cannot read"},
		{"remote write, key tenant", false, keyB, remoteWritePath, "", "b", 0, ""},
		{"remote write, key and same header", false, keyB, remoteWritePath, "b", "b", 0, ""},
		{"remote write, key and other header", false, keyB, remoteWritePath, "a", "", 403, `belongs to tenant "b"`},
		{"remote write, header", false, keyAny, remoteWritePath, "a", "a", 0, ""},
		{"remote write, nothing", false, keyAny, remoteWritePath, "", "", 401, "tenant to write to"},
		{"remote write, several", false, keyAny, remoteWritePath, "a|b", "", 400, "exactly one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := &dispatcher{mt: MultitenancyConfig{Enabled: true, CrossTenantReads: tc.cross}}
			r := httptest.NewRequest("GET", tc.path, nil)
			if tc.header != "" {
				r.Header.Set("X-Scope-OrgID", tc.header)
			}
			r = r.WithContext(auth.WithPrincipal(r.Context(), tc.p))
			got, code, msg := d.resolve(r)
			if code != tc.code || strings.Join(got, "|") != tc.want || !strings.Contains(msg, tc.msg) {
				t.Fatalf("resolve = %v %d %q; want %q %d %q", got, code, msg, tc.want, tc.code, tc.msg)
			}
		})
	}
}

// TestCrossTenantRefusedElsewhere: a cross-tenant read of an endpoint
// that cannot merge is a 400 naming where it works, before any tenant is
// opened.
func TestCrossTenantRefusedElsewhere(t *testing.T) {
	d := &dispatcher{mt: MultitenancyConfig{Enabled: true, CrossTenantReads: true}}
	for _, path := range []string{"/api/fields?source=logs", "/prometheus/api/v1/query?query=up", "/api/dashboards"} {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", path, nil)
		d.serveCross(w, r, []string{"a", "b"})
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "cross-tenant reads work for") {
			t.Errorf("%s: %d %s", path, w.Code, w.Body)
		}
	}
}

// TestMergeAnswers: cross-tenant merges keep every tenant's part, newest
// first, cut at the limit.
func TestMergeAnswers(t *testing.T) {
	ans := func(tenant, body string) *bufferedAnswer {
		a := newBufferedAnswer()
		a.tenant = tenant
		a.body.WriteString(body)
		return a
	}
	out, err := mergeTempoSearch(2)([]*bufferedAnswer{
		ans("a", `{"traces":[{"traceID":"a1","startTimeUnixNano":"10"},{"traceID":"a2","startTimeUnixNano":"30"}],"metrics":{"inspectedTraces":2}}`),
		ans("b", `{"traces":[{"traceID":"b1","startTimeUnixNano":"20"}],"metrics":{"inspectedTraces":1}}`),
	})
	if err != nil || !strings.Contains(out.body.String(), `"traces":[{"startTimeUnixNano":"30","traceID":"a2"},{"startTimeUnixNano":"20","traceID":"b1"}]`) ||
		!strings.Contains(out.body.String(), `"inspectedTraces":3`) {
		t.Errorf("Tempo search merge: %v %s", err, out.body.String())
	}
	out, err = mergeNativeSearch(100)([]*bufferedAnswer{
		ans("a", `{"rows":[{"Body":"a","Timestamp":"2026-01-01T00:00:01Z"}],"count":1}`),
		ans("b", `{"rows":[{"Body":"b","Timestamp":"2026-01-01T00:00:02Z"}],"count":5}`),
	})
	if err != nil || out.body.String() != `{"count":6,"rows":[{"Body":"b","Timestamp":"2026-01-01T00:00:02Z"},{"Body":"a","Timestamp":"2026-01-01T00:00:01Z"}]}`+"\n" {
		t.Errorf("native search merge: %v %s", err, out.body.String())
	}
	out, err = mergeTempoTraces(true, false)([]*bufferedAnswer{
		ans("a", `{"trace":{"resourceSpans":[{"x":1}]}}`), ans("b", `{"trace":{"resourceSpans":[{"x":2}]}}`),
	})
	if err != nil || out.body.String() != `{"trace":{"resourceSpans":[{"x":1},{"x":2}]}}`+"\n" {
		t.Errorf("trace merge: %v %s", err, out.body.String())
	}
}
