package demo

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// fakeOTLP is an OTLP/gRPC server that refuses the first exports of each
// signal, then counts what it accepts.
type fakeOTLP struct {
	ptraceotlp.UnimplementedGRPCServer
	mu                    sync.Mutex
	refuse                map[string]int // exports still to refuse, per signal
	refusedCode           codes.Code
	permanent             bool // refuse with InvalidArgument instead
	spans, logs, points   int
	minSpanStart, minTime time.Time
}

func (f *fakeOTLP) gate(signal string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.permanent {
		return status.Error(codes.InvalidArgument, "bad data")
	}
	if f.refuse[signal] > 0 {
		f.refuse[signal]--
		return status.Error(f.refusedCode, "store is saturated, retry later")
	}
	return nil
}

func (f *fakeOTLP) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	if err := f.gate("traces"); err != nil {
		return ptraceotlp.NewExportResponse(), err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.spans += req.Traces().SpanCount()
	eachSpan(req.Traces(), func(_ pcommon.Resource, s ptrace.Span) {
		if at := s.StartTimestamp().AsTime(); f.minSpanStart.IsZero() || at.Before(f.minSpanStart) {
			f.minSpanStart = at
		}
	})
	return ptraceotlp.NewExportResponse(), nil
}

type fakeLogs struct {
	plogotlp.UnimplementedGRPCServer
	f *fakeOTLP
}

func (l fakeLogs) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	if err := l.f.gate("logs"); err != nil {
		return plogotlp.NewExportResponse(), err
	}
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	l.f.logs += req.Logs().LogRecordCount()
	return plogotlp.NewExportResponse(), nil
}

type fakeMetrics struct {
	pmetricotlp.UnimplementedGRPCServer
	f *fakeOTLP
}

func (m fakeMetrics) Export(_ context.Context, req pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	if err := m.f.gate("metrics"); err != nil {
		return pmetricotlp.NewExportResponse(), err
	}
	m.f.mu.Lock()
	defer m.f.mu.Unlock()
	m.f.points += req.Metrics().DataPointCount()
	return pmetricotlp.NewExportResponse(), nil
}

// serve starts f on a free loopback port, stopped with the test.
func (f *fakeOTLP) serve(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(s, f)
	plogotlp.RegisterGRPCServer(s, &fakeLogs{f: f})
	pmetricotlp.RegisterGRPCServer(s, &fakeMetrics{f: f})
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	return l.Addr().String()
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func noLive() *bool { f := false; return &f }

// Refused exports are retried until accepted: every row arrives, once.
func TestRunRetriesRefusals(t *testing.T) {
	for _, code := range []codes.Code{codes.Unavailable, codes.ResourceExhausted} {
		t.Run(code.String(), func(t *testing.T) {
			f := &fakeOTLP{refuse: map[string]int{"traces": 3, "logs": 2, "metrics": 1}, refusedCode: code}
			cfg := testConfig()
			cfg.Backfill, cfg.Live, cfg.Endpoint = 10*time.Minute, noLive(), f.serve(t)
			if err := Run(context.Background(), cfg, quiet()); err != nil {
				t.Fatal(err)
			}
			want, _, _ := Expected(cfg)
			if f.spans != want.Spans || f.logs != want.Logs || f.points != sum(want.Points) {
				t.Fatalf("server got %d spans %d logs %d points; want %d/%d/%d", f.spans, f.logs, f.points, want.Spans, want.Logs, sum(want.Points))
			}
			for s, n := range f.refuse {
				if n != 0 {
					t.Fatalf("%d %s refusals left: the generator did not retry", n, s)
				}
			}
		})
	}
}

// A permanent error stops the demo with a message naming it.
func TestRunStopsOnPermanentError(t *testing.T) {
	f := &fakeOTLP{permanent: true}
	cfg := testConfig()
	cfg.Backfill, cfg.Live, cfg.Endpoint = 5*time.Minute, noLive(), f.serve(t)
	err := Run(context.Background(), cfg, quiet())
	if err == nil || status.Code(err) != codes.InvalidArgument {
		t.Fatalf("Run = %v, want the InvalidArgument error", err)
	}
}

// Live, the generator sends slots after now: a fixed now in the past
// streams on from there.
func TestRunLiveContinuesAfterNow(t *testing.T) {
	f := &fakeOTLP{}
	cfg := testConfig()
	now := time.Now().Add(-5 * time.Second).Truncate(time.Second).UTC()
	cfg.Now, cfg.Backfill, cfg.Rate, cfg.Endpoint = now, 0, 50, f.serve(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, quiet()) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f.mu.Lock()
		n, first := f.spans, f.minSpanStart
		f.mu.Unlock()
		if n > 0 {
			if first.Before(now) {
				t.Fatalf("live span at %s, before now %s", first, now)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no live spans within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
}

// An export over the receiver's message size is not retried forever: it
// stops the demo, naming the cause.
func TestRunStopsOnOversizeExport(t *testing.T) {
	f := &fakeOTLP{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.MaxRecvMsgSize(1024))
	ptraceotlp.RegisterGRPCServer(s, f)
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	cfg := testConfig()
	cfg.Backfill, cfg.Live, cfg.Endpoint = 5*time.Minute, noLive(), l.Addr().String()
	err = Run(context.Background(), cfg, quiet())
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("Run = %v, want the ResourceExhausted error", err)
	}
}
