package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

func smallLogs(n int) plogotlp.ExportRequest {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	for i := 0; i < n; i++ {
		sl.LogRecords().AppendEmpty().Body().SetStr(strings.Repeat("x", 100))
	}
	return plogotlp.NewExportRequestFromLogs(ld)
}

func postRaw(t *testing.T, url, contentType string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func grpcLogs(t *testing.T, addr string) plogotlp.GRPCClient {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return plogotlp.NewGRPCClient(conn)
}

// TestBadInput: malformed payloads are rejected as the client's fault, and
// oversized bodies with 413, without harming the server.
func TestBadInput(t *testing.T) {
	// The HTTP receiver's body limit is 4 KiB.
	s := newServer(t, `receivers:
  otlp:
    protocols:
      http:
        max_request_body_size: 4096
`)
	s.start()
	url := "http://" + s.http + "/v1/logs"

	code, body := postRaw(t, url, "application/x-protobuf", []byte{0xff, 0xff, 0xff, 0x01})
	if code != http.StatusBadRequest {
		t.Errorf("malformed protobuf: status %d (%s), want 400", code, body)
	}
	code, body = postRaw(t, url, "application/json", []byte(`{"resourceLogs":[{`))
	if code != http.StatusBadRequest || !strings.Contains(body, "resourceLogs") && !strings.Contains(strings.ToLower(body), "json") {
		t.Errorf("malformed JSON: status %d (%s), want 400 with the decoder's message", code, body)
	}
	big, _ := smallLogs(100).MarshalProto()
	code, body = postRaw(t, url, "application/x-protobuf", big)
	if code != http.StatusRequestEntityTooLarge {
		t.Errorf("%d-byte body over a 4096-byte limit: status %d (%s), want 413", len(big), code, body)
	}
	small, _ := smallLogs(2).MarshalProto()
	if code, body := postRaw(t, url, "application/x-protobuf", small); code != http.StatusOK {
		t.Errorf("valid small body after bad ones: status %d (%s)", code, body)
	}

	// gRPC: a payload that is not a valid message is InvalidArgument.
	conn, err := grpc.NewClient(s.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out rawMessage
	in := rawMessage{0xff, 0xff, 0xff, 0x01}
	err = conn.Invoke(ctx, "/opentelemetry.proto.collector.logs.v1.LogsService/Export", &in, &out,
		grpc.ForceCodec(rawCodec{}))
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("malformed gRPC payload: %v, want InvalidArgument", err)
	}
	if _, err := grpcLogs(t, s.grpc).Export(ctx, smallLogs(2)); err != nil {
		t.Errorf("valid gRPC export after a bad one: %v", err)
	}
}

// TestOverloadIsRetryable: when the memory limiter refuses data, clients get
// a retryable status (HTTP 503, gRPC Unavailable) and the refusal is counted.
func TestOverloadIsRetryable(t *testing.T) {
	s := newServer(t, `processors:
  memory_limiter:
    check_interval: 100ms
    limit_mib: 2
    spike_limit_mib: 1
`)
	s.start()
	time.Sleep(300 * time.Millisecond) // let the limiter take a reading
	small, _ := smallLogs(2).MarshalProto()
	code, body := postRaw(t, "http://"+s.http+"/v1/logs", "application/x-protobuf", small)
	if code != http.StatusServiceUnavailable && code != http.StatusTooManyRequests {
		t.Errorf("over the memory limit: status %d (%s), want 503 or 429", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := grpcLogs(t, s.grpc).Export(ctx, smallLogs(2))
	if c := status.Code(err); c != codes.Unavailable && c != codes.ResourceExhausted {
		t.Errorf("over the memory limit over gRPC: %v, want Unavailable or ResourceExhausted", err)
	}
	resp, err := http.Get("http://" + s.api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(m), `overlook_receiver_requests_total{outcome="refused",signal="logs"} 2`) {
		t.Errorf("refusals not counted:\n%s", grepLines(string(m), "overlook_receiver"))
	}
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// rawMessage and rawCodec send arbitrary bytes as a gRPC message.
type rawMessage []byte

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return *(v.(*rawMessage)), nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*rawMessage)) = append([]byte(nil), data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }
