package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// TestRequestSpans: with a tracer, each API request is a server span named
// "{method} {route}" with its status; /metrics, /ready and /healthz are not
// traced.
func TestRequestSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ms, err := meta.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a := New(Options{Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler), Meta: ms, Tracer: tp.Tracer("test")})
	srv := httptest.NewServer(a)
	defer srv.Close()
	for _, p := range []string{"/api/dashboards", "/api/dashboards/nope", "/metrics", "/healthz", "/ready"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	var got []string
	for _, s := range rec.Ended() {
		code := ""
		for _, kv := range s.Attributes() {
			if kv.Key == "http.response.status_code" {
				code = kv.Value.Emit()
			}
		}
		got = append(got, s.Name()+" "+code+" "+s.SpanKind().String())
	}
	sort.Strings(got)
	want := "GET /api/dashboards 200 server|GET /api/dashboards/{id} 404 server"
	if strings.Join(got, "|") != want {
		t.Errorf("spans %q, want %q", got, want)
	}
}
