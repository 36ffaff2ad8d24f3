package selftrace

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// TestProviderStoresSpans: spans end up in Insert, converted, under the
// configured service name, and Shutdown flushes what is queued.
func TestProviderStoresSpans(t *testing.T) {
	var mu sync.Mutex
	var got []ptrace.Traces
	tp := NewProvider(Options{ServiceName: "overlook", Version: "v1", Insert: func(_ context.Context, td ptrace.Traces) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, td)
		return nil
	}})
	tr := tp.Tracer("overlook/api")
	ctx, parent := tr.Start(context.Background(), "GET /api/dashboards", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.route", "/api/dashboards"), attribute.Int("http.response.status_code", 500),
			attribute.StringSlice("s", []string{"a"}), attribute.Bool("b", true), attribute.Float64("f", 1.5)))
	_, child := tr.Start(ctx, "query")
	child.AddEvent("rows", trace.WithAttributes(attribute.Int64("n", 3)))
	child.End()
	parent.SetStatus(codes.Error, "boom")
	parent.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	spans := map[string]ptrace.Span{}
	for _, td := range got {
		rs := td.ResourceSpans().At(0)
		if v, _ := rs.Resource().Attributes().Get("service.name"); v.Str() != "overlook" {
			t.Errorf("service.name %q", v.Str())
		}
		for i := 0; i < rs.ScopeSpans().Len(); i++ {
			ss := rs.ScopeSpans().At(i)
			if ss.Scope().Name() != "overlook/api" {
				t.Errorf("scope %q", ss.Scope().Name())
			}
			for j := 0; j < ss.Spans().Len(); j++ {
				spans[ss.Spans().At(j).Name()] = ss.Spans().At(j)
			}
		}
	}
	if len(spans) != 2 {
		t.Fatalf("spans %v", spans)
	}
	p, c := spans["GET /api/dashboards"], spans["query"]
	if p.Kind() != ptrace.SpanKindServer || p.Status().Code() != ptrace.StatusCodeError || p.Status().Message() != "boom" {
		t.Errorf("parent kind %v status %v %q", p.Kind(), p.Status().Code(), p.Status().Message())
	}
	if v, _ := p.Attributes().Get("http.response.status_code"); v.Int() != 500 {
		t.Errorf("status attribute %v", v.AsRaw())
	}
	if v, _ := p.Attributes().Get("s"); v.Str() != `["a"]` {
		t.Errorf("slice attribute %v", v.AsRaw())
	}
	if c.ParentSpanID() != p.SpanID() || c.TraceID() != p.TraceID() || c.Events().Len() != 1 {
		t.Errorf("child not linked to parent, or event lost")
	}
	if !p.EndTimestamp().AsTime().After(p.StartTimestamp().AsTime()) && p.EndTimestamp() != p.StartTimestamp() {
		t.Errorf("times %v %v", p.StartTimestamp(), p.EndTimestamp())
	}
}

// TestInsertErrorReported: a failed store write reaches OnError.
func TestInsertErrorReported(t *testing.T) {
	var errs []error
	tp := NewProvider(Options{ServiceName: "overlook", Insert: func(context.Context, ptrace.Traces) error { return errors.New("disk full") },
		OnError: func(err error) { errs = append(errs, err) }})
	_, s := tp.Tracer("x").Start(context.Background(), "s")
	s.End()
	_ = tp.Shutdown(context.Background())
	if len(errs) != 1 || errs[0].Error() != "store 1 of overlook's own spans: disk full" {
		t.Fatalf("errors %v", errs)
	}
}
