package distro

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/connector/xconnector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/extension/overlookext"
	"github.com/overlook-dev/overlook/internal/telemetry"
	"github.com/overlook-dev/overlook/internal/tenancy"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// limiterExt is an extension that hands out a limiter, as the overlook
// extension does.
type limiterExt struct {
	component.StartFunc
	component.ShutdownFunc
	l *overrides.Limiter
}

func (e limiterExt) Limits() *overrides.Limiter { return e.l }

var _ overlookext.TenantLimiter = limiterExt{}

type extHost map[component.ID]component.Component

func (h extHost) GetExtensions() map[component.ID]component.Component { return h }

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// admittedReceiver builds a metered receiver in front of next (as
// Components does for the OTLP receiver) and starts it with an overlook
// extension whose limiter allows 10 spans a second, burst 20, on clock c.
// It returns the consumer the receiver hands its requests to.
func admittedReceiver(t *testing.T, next consumer.Traces, c *fakeClock, m *telemetry.Metrics) consumer.Traces {
	t.Helper()
	var got consumer.Traces
	typ := component.MustNewType("fake")
	f := metered(receiver.NewFactory(typ, func() component.Config { return &struct{}{} },
		receiver.WithTraces(func(_ context.Context, _ receiver.Settings, _ component.Config, c consumer.Traces) (receiver.Traces, error) {
			got = c
			return struct {
				component.StartFunc
				component.ShutdownFunc
			}{}, nil
		}, component.StabilityLevelDevelopment)), m)
	r, err := f.CreateTraces(t.Context(), receivertest.NewNopSettings(typ), f.CreateDefaultConfig(), next)
	if err != nil {
		t.Fatal(err)
	}
	lim := overrides.New(overrides.Config{Defaults: overrides.Limits{Ingestion: overrides.Ingestion{SpansPerSecond: 10, SpansBurst: 20}}},
		overrides.Options{Now: c.now, Refused: m.Tenant.Refused})
	if err := r.Start(t.Context(), extHost{component.MustNewID("overlook"): limiterExt{l: lim}}); err != nil {
		t.Fatal(err)
	}
	return got
}

func nSpans(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for range n {
		ss.AppendEmpty().SetName("s")
	}
	return td
}

// TestAdmissionBeforeFanOut: the tenant's ingestion rate is applied before
// the request reaches its pipeline, so a refused request reaches neither
// the store nor the span-metrics and service-graph connectors (the two
// sinks behind the pipeline's fan-out), and the sender's retry after the
// delay is seen by each exactly once. Over the rate: ResourceExhausted
// with RetryInfo (HTTP 429 + Retry-After); over the burst: InvalidArgument
// (400), permanent. A request the pipeline refuses retryably gets its
// tokens back; one refused permanently does not.
func TestAdmissionBeforeFanOut(t *testing.T) {
	var storeSink, connectorSink consumertest.TracesSink
	var pipelineErr error
	fanOut, _ := consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
		if pipelineErr != nil {
			return pipelineErr
		}
		return errors.Join(storeSink.ConsumeTraces(ctx, td), connectorSink.ConsumeTraces(ctx, td))
	})
	clock := &fakeClock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	m := telemetry.New()
	recv := admittedReceiver(t, fanOut, clock, m)
	ctx := context.Background()
	seen := func() (int, int) { return storeSink.SpanCount(), connectorSink.SpanCount() }

	if err := recv.ConsumeTraces(ctx, nSpans(15)); err != nil {
		t.Fatal(err)
	}
	// 5 tokens left: 10 spans are refused, retry in 1 s.
	batch := nSpans(10)
	err := recv.ConsumeTraces(ctx, batch)
	st, _ := status.FromError(err)
	var delay time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if st.Code() != codes.ResourceExhausted || delay != time.Second || consumererror.IsPermanent(err) {
		t.Fatalf("over the rate: %v (retry %s), want retryable ResourceExhausted with RetryInfo 1s", err, delay)
	}
	if s, c := seen(); s != 15 || c != 15 {
		t.Fatalf("the refused request reached the pipeline: store %d, connectors %d spans; want 15 each", s, c)
	}
	clock.t = clock.t.Add(delay)
	if err := recv.ConsumeTraces(ctx, batch); err != nil {
		t.Fatalf("retry after %s: %v", delay, err)
	}
	if s, c := seen(); s != 25 || c != 25 {
		t.Errorf("after the retry: store %d, connectors %d spans; want 25 each (every span once)", s, c)
	}

	// Over the burst: never passes, the client's error.
	clock.t = clock.t.Add(time.Minute)
	err = recv.ConsumeTraces(ctx, nSpans(21))
	if status.Code(err) != codes.InvalidArgument || !consumererror.IsPermanent(err) {
		t.Errorf("over the burst: %v, want permanent InvalidArgument", err)
	}
	// A retryable refusal downstream (memory_limiter, the store) gives
	// the tokens back: the full burst passes afterwards.
	pipelineErr = errors.New("memory_limiter: data refused")
	if err := recv.ConsumeTraces(ctx, nSpans(20)); err == nil {
		t.Fatal("the pipeline's refusal was lost")
	}
	pipelineErr = nil
	if err := recv.ConsumeTraces(ctx, nSpans(20)); err != nil {
		t.Errorf("tokens of the request refused downstream were not given back: %v", err)
	}
	// A permanent refusal downstream keeps them: the client will not
	// resend, and part of it may be stored (max_active_series).
	clock.t = clock.t.Add(time.Minute)
	pipelineErr = consumererror.NewPermanent(errors.New("bad data"))
	_ = recv.ConsumeTraces(ctx, nSpans(20))
	pipelineErr = nil
	if err := recv.ConsumeTraces(ctx, nSpans(1)); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("after a permanent refusal downstream: %v, want the tokens still taken", err)
	}

	// Each tenant (the request's, from the overlook middleware) has its
	// own bucket.
	if err := recv.ConsumeTraces(tenancy.With(ctx, "other"), nSpans(20)); err != nil {
		t.Errorf("another tenant: %v", err)
	}
	for _, w := range []struct {
		signal, reason string
		n              float64
	}{{"traces", overrides.ReasonRateLimited, 10 + 1}, {"traces", overrides.ReasonBatchSize, 21}} {
		if got := testutil.ToFloat64(m.Tenant.Refused.WithLabelValues(tenancy.Default, w.signal, w.reason)); got != w.n {
			t.Errorf("refused{default,%s,%s} = %v, want %v", w.signal, w.reason, got, w.n)
		}
	}
	if got := testutil.ToFloat64(m.ReceivedItems.WithLabelValues("traces", "refused")); got != 10+21+20+20+1 {
		t.Errorf("refused items counted %v, want %d", got, 10+21+20+20+1)
	}
}

// TestConnectorMetricsAdmitted: the metrics a span-metrics or
// service-graph instance emits enter the collector at the connector, not
// through a receiver: they are admitted by their tenant's samples rate
// there (a tenant's own bucket; spans without a tenant pay as the default
// tenant).
func TestConnectorMetricsAdmitted(t *testing.T) {
	typ := component.MustNewType("fakeconn")
	// The fake connector emits one gauge point per span it sees.
	inner := xconnector.NewFactory(typ, func() component.Config { return &struct{}{} },
		xconnector.WithTracesToMetrics(func(_ context.Context, _ connector.Settings, _ component.Config, next consumer.Metrics) (connector.Traces, error) {
			return struct {
				component.StartFunc
				component.ShutdownFunc
				consumer.Traces
			}{Traces: mustTraces(func(ctx context.Context, td ptrace.Traces) error {
				md := pmetric.NewMetrics()
				dps := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge().DataPoints()
				for range td.SpanCount() {
					dps.AppendEmpty().SetIntValue(1)
				}
				return next.ConsumeMetrics(ctx, md)
			})}, nil
		}, component.StabilityLevelDevelopment))
	f := perTenant(inner, component.MustNewType("fakeconn2"))
	sink := new(consumertest.MetricsSink)
	c, err := f.CreateTracesToMetrics(t.Context(), connectortest.NewNopSettings(typ), f.CreateDefaultConfig(), sink)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	lim := overrides.New(overrides.Config{Defaults: overrides.Limits{Ingestion: overrides.Ingestion{SamplesPerSecond: 1, SamplesBurst: 5}}},
		overrides.Options{Now: clock.now})
	if err := c.Start(t.Context(), extHost{component.MustNewID("overlook"): limiterExt{l: lim}}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Shutdown(t.Context()) }()
	of := func(tenant string, n int) ptrace.Traces {
		td := nSpans(n)
		if tenant != "" {
			td.ResourceSpans().At(0).Resource().Attributes().PutStr(tenancy.ResourceAttribute, tenant)
		}
		return td
	}
	for _, step := range []struct {
		tenant string
		spans  int
		code   codes.Code
	}{
		{"a", 4, codes.OK},
		{"a", 2, codes.ResourceExhausted}, // 1 token left
		{"b", 5, codes.OK},                // its own bucket
		{"", 5, codes.OK},                 // the default tenant's
		{"", 1, codes.ResourceExhausted},
	} {
		if err := c.ConsumeTraces(t.Context(), of(step.tenant, step.spans)); status.Code(err) != step.code {
			t.Errorf("tenant %q, %d spans: %v, want %v", step.tenant, step.spans, err, step.code)
		}
	}
	if n := sink.DataPointCount(); n != 4+5+5 {
		t.Errorf("%d points reached the pipeline, want 14 (the refused flushes none)", n)
	}
}

func mustTraces(f consumer.ConsumeTracesFunc) consumer.Traces {
	c, err := consumer.NewTraces(f)
	if err != nil {
		panic(err)
	}
	return c
}
