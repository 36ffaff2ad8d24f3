package overlookext

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/ingest/inflight"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// inflightExtension is an extension whose bound admits limit bytes.
func inflightExtension(limit int64) *Extension {
	return &Extension{cfg: createDefaultConfig(), metrics: telemetry.New(), inflight: inflight.New(limit, nil)}
}

func inflightSpans(n int) ptraceotlp.ExportRequest {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	for i := range n {
		sp := ss.Spans().AppendEmpty()
		sp.SetName("inflight")
		sp.SetTraceID(pcommon.TraceID{1, byte(i)})
		sp.SetSpanID(pcommon.SpanID{1, byte(i)})
	}
	return ptraceotlp.NewExportRequestFromTraces(td)
}

type inUse struct {
	bytes int64
	holds int
}

func used(l *inflight.Limiter) inUse {
	b, h := l.InUse()
	return inUse{b, h}
}

// TestInflightHTTP: the OTLP/HTTP middleware charges 4× the body while
// the receiver runs, refuses with 503 + Retry-After (before reading a body
// of known length, after reading one of unknown length) when it does not
// fit, and gives everything back on every path.
func TestInflightHTTP(t *testing.T) {
	req := inflightSpans(20)
	body, err := req.MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	weight := inflight.Weight(int64(len(body)))
	limit := 2 * weight
	for _, tc := range []struct {
		name        string
		other       int64 // held by other requests meanwhile
		unknownLen  bool
		body        []byte
		receiver    int // the receiver's answer; -1: it panics
		code        int
		reached     bool
		during      inUse // what the receiver sees
		refusedBody string
	}{
		{name: "fits", other: weight, body: body, receiver: 200, code: 200, reached: true, during: inUse{2 * weight, 2}},
		{name: "alone over the limit", body: bytes.Repeat(body, 3), receiver: 200, code: 200, reached: true, during: inUse{3 * weight, 1}},
		{name: "refused before reading", other: weight + 1, body: body, code: 503, refusedBody: "max_inflight_bytes"},
		{name: "unknown length refused after reading", other: weight + 1, unknownLen: true, body: body, code: 503, refusedBody: "max_inflight_bytes"},
		{name: "unknown length fits", other: weight, unknownLen: true, body: body, receiver: 200, code: 200, reached: true, during: inUse{2 * weight, 2}},
		{name: "full before an unknown length", other: limit - inflight.Weight(1) + 1, unknownLen: true, body: body, code: 503},
		{name: "receiver error", body: body, receiver: 503, code: 503, reached: true, during: inUse{weight, 1}},
		{name: "receiver panics", body: body, receiver: -1, reached: true, during: inUse{weight, 1}},
		{name: "malformed", body: []byte{0x0a, 0xff}, code: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := inflightExtension(limit)
			wrap, err := e.GetHTTPHandler(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var during inUse
			reached := false
			h, err := wrap(context.Background(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				reached = true
				during = used(e.inflight)
				if tc.receiver < 0 {
					panic(http.ErrAbortHandler)
				}
				w.WriteHeader(tc.receiver)
			}))
			if err != nil {
				t.Fatal(err)
			}
			var other *inflight.Hold
			if tc.other > 0 {
				if other, err = e.inflight.Acquire(tc.other); err != nil {
					t.Fatal(err)
				}
			}
			r := httptest.NewRequest("POST", "/v1/traces", bytes.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/x-protobuf")
			if tc.unknownLen {
				r.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != nil && !errors.Is(p.(error), http.ErrAbortHandler) {
						t.Fatalf("panic %v", p)
					}
				}()
				h.ServeHTTP(rec, r)
			}()
			if tc.receiver >= 0 && rec.Code != tc.code {
				t.Errorf("status %d %q, want %d", rec.Code, rec.Body, tc.code)
			}
			if reached != tc.reached || during != tc.during {
				t.Errorf("receiver reached %v seeing %+v; want %v %+v", reached, during, tc.reached, tc.during)
			}
			refused := testutil.ToFloat64(e.metrics.Ingest.InflightRefused.WithLabelValues("http"))
			if tc.code == 503 && !tc.reached {
				if got := rec.Header().Get("Retry-After"); got != "1" || refused != 1 || !strings.Contains(rec.Body.String(), tc.refusedBody) {
					t.Errorf("refusal: Retry-After %q, counted %v, body %q", got, refused, rec.Body)
				}
			} else if refused != 0 {
				t.Errorf("counted %v refusals, want 0", refused)
			}
			other.Release()
			if got := used(e.inflight); got != (inUse{}) {
				t.Errorf("after the answer %+v is still held", got)
			}
		})
	}
}

// inflightServer serves OTLP/gRPC traces with e's server options; export
// is the pipeline.
func inflightServer(t *testing.T, e *Extension, export func(context.Context) error) ptraceotlp.GRPCClient {
	t.Helper()
	opts, err := e.GetGRPCServerOptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	ptraceotlp.RegisterGRPCServer(srv, &traceServer{export: export})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return ptraceotlp.NewGRPCClient(conn)
}

type traceServer struct {
	ptraceotlp.UnimplementedGRPCServer
	export func(context.Context) error
}

func (s *traceServer) Export(ctx context.Context, _ ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	return ptraceotlp.NewExportResponse(), s.export(ctx)
}

// TestInflightGRPC: the codec charges 4× the message before decoding it,
// refuses with UNAVAILABLE + RetryInfo when it does not fit, and the
// outermost interceptor gives the hold back on every path: success, the
// pipeline's error, a guard refusal, a cancelled client.
func TestInflightGRPC(t *testing.T) {
	req := inflightSpans(20)
	b, _ := req.MarshalProto()
	weight := inflight.Weight(int64(len(b)))
	deep := inflightSpans(1)
	v := deep.Traces().ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutEmptyMap("a")
	for range 80 {
		v = v.PutEmptyMap("a")
	}
	for _, tc := range []struct {
		name    string
		req     ptraceotlp.ExportRequest
		other   int64
		export  error
		code    codes.Code
		reached bool
		during  inUse
	}{
		{name: "fits", req: req, other: weight, code: codes.OK, reached: true, during: inUse{2 * weight, 2}},
		{name: "refused", req: req, other: weight + 1, code: codes.Unavailable},
		{name: "pipeline error", req: req, export: status.Error(codes.Unavailable, "memory limiter"), code: codes.Unavailable, reached: true, during: inUse{weight, 1}},
		{name: "guard refusal", req: deep, code: codes.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := inflightExtension(2 * weight)
			var during inUse
			reached := false
			client := inflightServer(t, e, func(context.Context) error {
				reached = true
				during = used(e.inflight)
				return tc.export
			})
			var other *inflight.Hold
			var err error
			if tc.other > 0 {
				if other, err = e.inflight.Acquire(tc.other); err != nil {
					t.Fatal(err)
				}
			}
			_, err = client.Export(context.Background(), tc.req)
			if status.Code(err) != tc.code {
				t.Fatalf("Export: %v, want %s", err, tc.code)
			}
			if reached != tc.reached || during != tc.during {
				t.Errorf("pipeline reached %v seeing %+v; want %v %+v", reached, during, tc.reached, tc.during)
			}
			refused := testutil.ToFloat64(e.metrics.Ingest.InflightRefused.WithLabelValues("grpc"))
			if tc.name == "refused" {
				st := status.Convert(err)
				var retry *errdetails.RetryInfo
				for _, d := range st.Details() {
					if ri, ok := d.(*errdetails.RetryInfo); ok {
						retry = ri
					}
				}
				if refused != 1 || retry == nil || retry.RetryDelay.AsDuration() != time.Second || !strings.Contains(st.Message(), inflight.Key) {
					t.Errorf("refusal: counted %v, RetryInfo %v, message %q", refused, retry, st.Message())
				}
			} else if refused != 0 {
				t.Errorf("counted %v refusals", refused)
			}
			other.Release()
			if got := used(e.inflight); got != (inUse{}) {
				t.Errorf("after the answer %+v is still held", got)
			}
		})
	}
}

// TestInflightGRPCCancel: a client that gives up does not leak the hold:
// it is released when the pipeline returns.
func TestInflightGRPCCancel(t *testing.T) {
	e := inflightExtension(1 << 20)
	entered, finish := make(chan struct{}), make(chan struct{})
	returned := make(chan struct{})
	client := inflightServer(t, e, func(context.Context) error {
		close(entered)
		<-finish
		defer close(returned)
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := client.Export(ctx, inflightSpans(5))
		errc <- err
	}()
	<-entered
	b, _ := inflightSpans(5).MarshalProto()
	if got := used(e.inflight); got != (inUse{inflight.Weight(int64(len(b))), 1}) {
		t.Errorf("during the call: %+v", got)
	}
	cancel()
	if err := <-errc; status.Code(err) != codes.Canceled {
		t.Errorf("Export: %v, want Canceled", err)
	}
	close(finish)
	<-returned
	// The interceptor releases right after the pipeline returns.
	deadline := time.Now().Add(10 * time.Second)
	for used(e.inflight) != (inUse{}) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := used(e.inflight); got != (inUse{}) {
		t.Errorf("after the call: %+v still held", got)
	}
}

// TestInflightGRPCUnauthenticated: a call the ingestion key check refuses
// after the codec decoded it gives its hold back.
func TestInflightGRPCUnauthenticated(t *testing.T) {
	e := keyedExtension(t)
	e.inflight = inflight.New(1<<20, nil)
	client := inflightServer(t, e, func(context.Context) error { return nil })
	if _, err := client.Export(context.Background(), inflightSpans(5)); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("Export: %v", err)
	}
	if got := used(e.inflight); got != (inUse{}) {
		t.Errorf("after the call: %+v still held", got)
	}
}
