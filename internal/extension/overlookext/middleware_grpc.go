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

	"github.com/overlook-dev/overlook/internal/ingest/inflight"
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
//
// The codec is also where the message's bytes are known before decoding:
// it takes the request's hold on ingest::max_inflight_bytes there
// (ingest_inflight.go) and refuses with UNAVAILABLE when it does not fit;
// the outermost interceptor releases the hold once the call is answered.
func (e *Extension) GetGRPCServerOptions(context.Context) ([]grpc.ServerOption, error) {
	g := newGRPCGuard(e.cfg.Ingest.guardLimits(), e.metrics, e.inflight)
	// g.release is outermost: the interceptors run whenever the codec
	// decoded (or refused) an OTLP request, and g.release gives its hold
	// back whatever the others answer. The ingestion key is checked next
	// (middleware_auth.go).
	return []grpc.ServerOption{grpc.ForceServerCodecV2(g), grpc.ChainUnaryInterceptor(g.release, e.authUnary, g.intercept),
		grpc.ChainStreamInterceptor(e.authStream)}, nil
}

type grpcGuard struct {
	delegate encoding.CodecV2 // the registered "proto" codec (pdata's)
	limits   otlpguard.Limits
	metrics  *telemetry.Metrics
	inflight *inflight.Limiter

	mu      sync.Mutex
	refused map[any]refusal        // by request message pointer
	holds   map[any]*inflight.Hold // by request message pointer
}

type refusal struct {
	err    error
	reason string // "inflight": the limiter's, retryable
	at     time.Time
}

// refusalTTL bounds how long a refusal waits for its interceptor call: one
// that never comes (an auth interceptor refused the call first) is dropped.
const refusalTTL = time.Minute

func newGRPCGuard(l otlpguard.Limits, m *telemetry.Metrics, in *inflight.Limiter) *grpcGuard {
	return &grpcGuard{delegate: encoding.GetCodecV2("proto"), limits: l, metrics: m, inflight: in,
		refused: map[any]refusal{}, holds: map[any]*inflight.Hold{}}
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
	hold, err := g.inflight.Acquire(inflight.Weight(int64(data.Len())))
	if err != nil {
		g.refuse(v, err, "inflight")
		return nil
	}
	g.keep(v, hold)
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

// keep remembers the hold of request v until release.
func (g *grpcGuard) keep(v any, h *inflight.Hold) {
	if h == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.holds[v] = h
}

// release is the outermost interceptor: it answers the call and then
// gives the request's hold back, on every path.
func (g *grpcGuard) release(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	g.mu.Lock()
	h := g.holds[req]
	delete(g.holds, req)
	g.mu.Unlock()
	defer h.Release()
	return handler(ctx, req)
}

func (g *grpcGuard) intercept(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if r, ok := g.take(req); ok && r.reason == "inflight" {
		g.metrics.Ingest.InflightRefused.WithLabelValues("grpc").Inc()
		return nil, inflightStatus(r.err)
	} else if ok {
		g.metrics.Ingest.Refused.WithLabelValues("grpc", r.reason).Inc()
		return nil, status.Error(codes.InvalidArgument, strings.ToValidUTF8(r.err.Error(), "\uFFFD"))
	}
	return handler(ctx, req)
}
