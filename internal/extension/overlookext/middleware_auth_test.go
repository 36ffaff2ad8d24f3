package overlookext

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

const testKey = "unit-test-key-0123456789"

func keyedExtension(t *testing.T) *Extension {
	t.Helper()
	kf := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(kf, []byte(testKey), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, err := auth.LoadIngestionKeys([]auth.KeyConfig{{KeyFile: kf, Tenant: "team-a"}})
	if err != nil {
		t.Fatal(err)
	}
	e := &Extension{cfg: createDefaultConfig(), metrics: telemetry.New()}
	e.keys.Store(keys)
	return e
}

// TestIngestKeyHTTP: the OTLP/HTTP middleware refuses a missing or wrong
// key with 401 Unauthenticated before the receiver runs, and passes the
// key's tenant on as client.Info auth attribute "tenant".
func TestIngestKeyHTTP(t *testing.T) {
	e := keyedExtension(t)
	wrap, err := e.GetHTTPHandler(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var tenant any
	calls := 0
	h, err := wrap(context.Background(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if a := client.FromContext(r.Context()).Auth; a != nil {
			tenant = a.GetAttribute("tenant")
		}
		w.WriteHeader(200)
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		auth, ctype string
		code        int
		body        string
	}{
		{"", "application/json", 401, `"code":16`},
		{"Bearer wrong-wrong-wrong-wrong", "application/json", 401, "not one this server accepts"},
		{"", "text/plain", 401, "requires an ingestion key"},
		{"Bearer " + testKey, "application/json", 200, ""},
		{testKey, "application/json", 200, ""},
	} {
		req := httptest.NewRequest("POST", "/v1/logs", bytes.NewReader([]byte(`{}`)))
		req.Header.Set("Content-Type", tc.ctype)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		before := calls
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("auth %q: %d %s; want %d %q", tc.auth, rec.Code, rec.Body, tc.code, tc.body)
		}
		if reached := calls > before; reached != (tc.code == 200) {
			t.Errorf("auth %q: receiver reached = %v", tc.auth, reached)
		}
	}
	if tenant != "team-a" {
		t.Errorf("client.Info tenant = %v, want team-a", tenant)
	}
}

// TestIngestKeyGRPC: the gRPC interceptor answers Unauthenticated and
// passes the tenant on.
func TestIngestKeyGRPC(t *testing.T) {
	e := keyedExtension(t)
	var tenant any
	handler := func(ctx context.Context, _ any) (any, error) {
		tenant = client.FromContext(ctx).Auth.GetAttribute("tenant")
		return "ok", nil
	}
	for _, tc := range []struct {
		md   []string
		code codes.Code
	}{
		{nil, codes.Unauthenticated},
		{[]string{"authorization", "Bearer nope-nope-nope-nope"}, codes.Unauthenticated},
		{[]string{"authorization", "Bearer " + testKey}, codes.OK},
	} {
		ctx := context.Background()
		if tc.md != nil {
			ctx = metadata.NewIncomingContext(ctx, metadata.Pairs(tc.md...))
		}
		_, err := e.authUnary(ctx, nil, &grpc.UnaryServerInfo{}, handler)
		if status.Code(err) != tc.code {
			t.Errorf("md %v: %v, want %s", tc.md, err, tc.code)
		}
	}
	if tenant != "team-a" {
		t.Errorf("tenant %v", tenant)
	}
}
