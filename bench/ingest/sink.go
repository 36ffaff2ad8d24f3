package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/status"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/overlook-dev/overlook/internal/store"
)

// A sink delivers one rendered export request: to a server over OTLP/gRPC
// (grpcSink) or straight into the store (rawSink, sink_raw.go).
type sink interface {
	// send returns nil once every row is stored; rejected counts rows the
	// receiver refused permanently in an otherwise successful export
	// (OTLP partial success).
	send(ctx context.Context, sig signal, req []byte) (rejected int64, err error)
	close() error
}

// outcome classifies one export attempt the way an OpenTelemetry exporter
// does.
type outcome int

const (
	outAcked     outcome = iota
	outRefused           // Unavailable, ResourceExhausted, store overloaded: back off and retry
	outTimeout           // DeadlineExceeded: retried too (the rows may be stored twice)
	outPermanent         // anything else: the batch is dropped
)

func (o outcome) String() string {
	return [...]string{"acked", "refused", "timeout", "error"}[o]
}

// classify maps an attempt's error to its outcome, and returns the delay
// the server asked for (gRPC RetryInfo), if any.
func classify(err error) (outcome, time.Duration) {
	switch {
	case err == nil:
		return outAcked, 0
	case errors.Is(err, store.ErrOverloaded):
		return outRefused, 0
	case errors.Is(err, context.DeadlineExceeded):
		return outTimeout, 0
	}
	st, ok := status.FromError(err)
	if !ok {
		return outPermanent, 0
	}
	var hint time.Duration
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			hint = ri.GetRetryDelay().AsDuration()
		}
	}
	switch st.Code() {
	case codes.Unavailable:
		return outRefused, hint
	case codes.ResourceExhausted:
		// A message over the server's size limit never fits: do not retry.
		if strings.Contains(st.Message(), "larger than max") {
			return outPermanent, 0
		}
		return outRefused, hint
	case codes.DeadlineExceeded, codes.Aborted:
		return outTimeout, hint
	}
	return outPermanent, 0
}

// OTLP/gRPC method names.
const (
	traceExportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
	logsExportMethod  = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
)

// rawCodec sends already-encoded protobuf bytes and returns the response
// undecoded. It is named "proto" so that the content type is the standard
// application/grpc+proto.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.([]byte)
	if !ok {
		return nil, fmt.Errorf("raw codec: cannot send %T", v)
	}
	return b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: cannot receive into %T", v)
	}
	*p = append((*p)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// grpcSink exports over one gRPC connection, as an OTLP exporter does;
// concurrent sends are multiplexed on it.
type grpcSink struct {
	conn *grpc.ClientConn
	opts []grpc.CallOption
}

func newGRPCSink(target, compression string) (*grpcSink, error) {
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(16<<20)))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", target, err)
	}
	opts := []grpc.CallOption{grpc.ForceCodec(rawCodec{})}
	switch compression {
	case "", "none":
	case "gzip":
		opts = append(opts, grpc.UseCompressor(gzip.Name))
	default:
		_ = conn.Close()
		return nil, fmt.Errorf("unknown compression %q (none or gzip)", compression)
	}
	return &grpcSink{conn: conn, opts: opts}, nil
}

func (s *grpcSink) send(ctx context.Context, sig signal, req []byte) (int64, error) {
	method := traceExportMethod
	if sig == sigLogs {
		method = logsExportMethod
	}
	var resp []byte
	if err := s.conn.Invoke(ctx, method, req, &resp, s.opts...); err != nil {
		return 0, err
	}
	if len(resp) == 0 {
		return 0, nil
	}
	// A partial success tells how many rows were rejected.
	if sig == sigLogs {
		r := plogotlp.NewExportResponse()
		if err := r.UnmarshalProto(resp); err != nil {
			return 0, fmt.Errorf("decode logs export response: %w", err)
		}
		return r.PartialSuccess().RejectedLogRecords(), nil
	}
	r := ptraceotlp.NewExportResponse()
	if err := r.UnmarshalProto(resp); err != nil {
		return 0, fmt.Errorf("decode traces export response: %w", err)
	}
	return r.PartialSuccess().RejectedSpans(), nil
}

func (s *grpcSink) close() error { return s.conn.Close() }
