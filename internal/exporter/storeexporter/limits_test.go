package storeexporter

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/ingest/limits"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// countingStore counts what it was given to store.
type countingStore struct {
	store.Store
	spans, logs, points int
	traces              []ptrace.Traces
}

func (c *countingStore) InsertTraces(_ context.Context, td ptrace.Traces) error {
	c.spans += td.SpanCount()
	c.traces = append(c.traces, td)
	return nil
}

func (c *countingStore) InsertLogs(_ context.Context, ld plog.Logs) error {
	c.logs += ld.LogRecordCount()
	return nil
}

func (c *countingStore) InsertMetrics(_ context.Context, md pmetric.Metrics) error {
	c.points += md.DataPointCount()
	return nil
}

// frozen is a clock that does not move: no tokens are earned between
// calls.
func frozen() time.Time { return time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC) }

func tenantExporter(t *testing.T, cfg overrides.Config) (*storeExporter, *countingStore, *telemetry.Metrics) {
	t.Helper()
	m := telemetry.New()
	st := &countingStore{}
	e := newExporter(&Config{}, exportertest.NewNopSettings(Type), m)
	e.provider = provider{st}
	e.limits = limits.Limits{MaxAttributes: 128}
	e.limiter = overrides.New(cfg, overrides.Options{Now: frozen, Refused: m.Tenant.Refused, DroppedAttributes: m.Tenant.DroppedAttributes})
	return e, st, m
}

func spans(n, attrs int) ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for range n {
		s := ss.AppendEmpty()
		s.SetName("s")
		for a := range attrs {
			s.Attributes().PutInt(fmt.Sprintf("a%02d", a), int64(a))
		}
	}
	return td
}

func logRecords(n int) plog.Logs {
	ld := plog.NewLogs()
	rs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for range n {
		rs.AppendEmpty().Body().SetStr("x")
	}
	return ld
}

// wantCode checks the gRPC status the OTLP receiver would answer (and so
// its HTTP code: ResourceExhausted 429, InvalidArgument 400), and the
// retry delay it would send.
func wantCode(t *testing.T, err error, code codes.Code, delay time.Duration, msg string) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != code {
		t.Fatalf("error %v: status %v, want %v", err, st.Code(), code)
	}
	if !strings.Contains(st.Message(), msg) {
		t.Errorf("message %q does not contain %q", st.Message(), msg)
	}
	var got time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			got = ri.GetRetryDelay().AsDuration()
		}
	}
	if got != delay {
		t.Errorf("retry delay %s, want %s", got, delay)
	}
	if permanent := consumererror.IsPermanent(err); permanent != (code == codes.InvalidArgument) {
		t.Errorf("permanent %v for %v", permanent, code)
	}
}

// TestTenantMaxAttributes: the tenant's max_attributes (lower than
// ingest::max_attributes) cuts each span to exactly N, the span's dropped
// count says how many, and the drops are counted per tenant; the caller's
// batch (shared with the connectors) is not changed.
func TestTenantMaxAttributes(t *testing.T) {
	e, st, m := tenantExporter(t, overrides.Config{Defaults: overrides.Limits{MaxAttributes: 4},
		Tenants: map[string]overrides.Limits{"wide": {MaxAttributes: 500}}})
	td := spans(2, 10)
	if err := e.pushTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	s := st.traces[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(1)
	if s.Attributes().Len() != 4 || s.DroppedAttributesCount() != 6 {
		t.Errorf("stored span has %d attributes, dropped count %d; want 4, 6", s.Attributes().Len(), s.DroppedAttributesCount())
	}
	if td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Len() != 10 {
		t.Error("the exporter changed its input")
	}
	if got := testutil.ToFloat64(m.Tenant.DroppedAttributes.WithLabelValues("default", "traces")); got != 12 {
		t.Errorf("dropped attributes %v, want 12", got)
	}
	// A tenant allowed more than ingest::max_attributes keeps the lower.
	if err := e.pushTraces(tenancy.With(context.Background(), "wide"), spans(1, 130)); err != nil {
		t.Fatal(err)
	}
	if n := st.traces[1].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().Len(); n != 128 {
		t.Errorf("wide tenant's span has %d attributes, want 128 (ingest::max_attributes)", n)
	}

	md := pmetric.NewMetrics()
	p := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty()
	for a := range 7 {
		p.Attributes().PutStr(fmt.Sprintf("k%d", a), "v")
	}
	if err := e.pushMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
	if p.Attributes().Len() != 4 {
		t.Errorf("point has %d attributes, want 4", p.Attributes().Len())
	}
	if got := testutil.ToFloat64(m.Tenant.DroppedAttributes.WithLabelValues("default", "metrics")); got != 3 {
		t.Errorf("dropped metric attributes %v, want 3", got)
	}
}

// TestTenantMaxSeries: points of new series past max_active_series are
// refused (InvalidArgument, naming the key) while the rest of the batch and
// the existing series are stored.
func TestTenantMaxSeries(t *testing.T) {
	e, st, m := tenantExporter(t, overrides.Config{Defaults: overrides.Limits{MaxActiveSeries: 2}})
	batch := func(series ...string) pmetric.Metrics {
		md := pmetric.NewMetrics()
		ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
		for _, s := range series {
			g := ms.AppendEmpty()
			g.SetName("up")
			g.SetEmptyGauge().DataPoints().AppendEmpty().Attributes().PutStr("job", s)
		}
		return md
	}
	if err := e.pushMetrics(context.Background(), batch("a", "b")); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.pushMetrics(context.Background(), batch("a", "c", "b")), codes.InvalidArgument, 0,
		"1 points of 1 new series refused, 2 points stored; raise extensions::overlook::multitenancy::overrides::defaults::max_active_series")
	wantCode(t, e.pushMetrics(context.Background(), batch("c")), codes.InvalidArgument, 0, "0 points stored")
	if st.points != 4 {
		t.Errorf("stored %d points, want 4 (a, b twice)", st.points)
	}
	if got := testutil.ToFloat64(m.Tenant.Refused.WithLabelValues("default", "metrics", "max_series")); got != 2 {
		t.Errorf("refused max_series %v, want 2", got)
	}
}
