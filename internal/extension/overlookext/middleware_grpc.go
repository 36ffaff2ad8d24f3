package overlookext

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/ingest/otlpguard"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// GetGRPCServerOptions implements extensionmiddleware.GRPCServer. The
// distro's config converter adds `middlewares: [{id: overlook}]` to every
// OTLP receiver's gRPC protocol.
//
// grpc-go decodes a request before any interceptor runs, and reports every
// decoding error as codes.Internal ("grpc: error unmarshalling request"),
// whatever the codec returns. So the guard is a codec that scans the bytes
// with otlpguard and decodes them, and on failure leaves the message empty,
// notes why, and lets the call go on to an interceptor (the only place a
// status can be chosen) that answers InvalidArgument with the reason.
func (e *Extension) GetGRPCServerOptions(context.Context) ([]grpc.ServerOption, error) {
	g := newGRPCGuard(e.cfg.Ingest.guardLimits(), e.metrics)
	// The ingestion key is checked first (middleware_auth.go).
	return []grpc.ServerOption{grpc.ForceServerCodecV2(g), grpc.ChainUnaryInterceptor(e.authUnary, g.intercept),
		grpc.ChainStreamInterceptor(e.authStream)}, nil
}

type grpcGuard struct {
	delegate encoding.CodecV2 // the registered "proto" codec (pdata's)
	limits   otlpguard.Limits
	metrics  *telemetry.Metrics

	mu      sync.Mutex
	refused map[any]refusal // by request message pointer
}

type refusal struct {
	err    error
	reason string
	at     time.Time
}

// refusalTTL bounds how long a refusal waits for its interceptor call: one
// that never comes (an auth interceptor refused the call first) is dropped.
const refusalTTL = time.Minute

func newGRPCGuard(l otlpguard.Limits, m *telemetry.Metrics) *grpcGuard {
	return &grpcGuard{delegate: encoding.GetCodecV2("proto"), limits: l, metrics: m, refused: map[any]refusal{}}
}

func (g *grpcGuard) Name() string { return "proto" }

func (g *grpcGuard) Marshal(v any) (mem.BufferSlice, error) { return g.delegate.Marshal(v) }

type protoDecoder interface{ UnmarshalProto([]byte) error }

func (g *grpcGuard) Unmarshal(data mem.BufferSlice, v any) error {
	sig := signalOfMessage(v)
	d, ok := v.(protoDecoder)
	if sig == otlpguard.Unknown || !ok {
		return g.delegate.Unmarshal(data, v)
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free()
	b := buf.ReadOnlyData()
	if err := otlpguard.ScanProto(sig, b, g.limits); err != nil {
		g.refuse(v, err, reason(err))
		return nil
	}
	if err := d.UnmarshalProto(b); err != nil {
		g.refuse(v, fmt.Errorf("malformed OTLP protobuf %s request: %w", sig, err), "malformed")
		return nil
	}
	return nil
}

// signalOfMessage recognises pdata's request types (internal to pdata, so
// by name).
func signalOfMessage(v any) otlpguard.Signal {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || !strings.HasPrefix(t.Elem().PkgPath(), "go.opentelemetry.io/collector/pdata") {
		return otlpguard.Unknown
	}
	switch t.Elem().Name() {
	case "ExportTraceServiceRequest":
		return otlpguard.Traces
	case "ExportLogsServiceRequest":
		return otlpguard.Logs
	case "ExportMetricsServiceRequest":
		return otlpguard.Metrics
	}
	return otlpguard.Unknown
}

func (g *grpcGuard) refuse(v any, err error, reason string) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	for k, r := range g.refused {
		if now.Sub(r.at) > refusalTTL {
			delete(g.refused, k)
		}
	}
	g.refused[v] = refusal{err: err, reason: reason, at: now}
}

func (g *grpcGuard) take(v any) (refusal, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r, ok := g.refused[v]
	if ok {
		delete(g.refused, v)
	}
	return r, ok
}

func (g *grpcGuard) intercept(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if r, ok := g.take(req); ok {
		g.metrics.Ingest.Refused.WithLabelValues("grpc", r.reason).Inc()
		return nil, status.Error(codes.InvalidArgument, strings.ToValidUTF8(r.err.Error(), "\uFFFD"))
	}
	return handler(ctx, req)
}
