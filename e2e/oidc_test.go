package e2e

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// testIssuer is an OIDC issuer on 127.0.0.1: discovery document and a JWKS
// with one RSA key generated for the test, which signs its tokens (RS256).
type testIssuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &testIssuer{key: key}
	b64 := base64.RawURLEncoding.EncodeToString
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		u := iss.srv.URL
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": u, "jwks_uri": u + "/keys",
			"authorization_endpoint": u + "/auth", "token_endpoint": u + "/token",
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "test-key", "use": "sig", "alg": "RS256",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	iss.srv = httptest.NewServer(mux)
	t.Cleanup(iss.srv.Close)
	return iss
}

// token signs a JWT with the issuer's key.
func (iss *testIssuer) token(t *testing.T, aud string, exp time.Time) string {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "test-key"})
	claims, _ := json.Marshal(map[string]any{
		"iss": iss.srv.URL, "sub": "collector-a", "aud": aud,
		"iat": time.Now().Add(-time.Minute).Unix(), "exp": exp.Unix(),
	})
	signing := b64(header) + "." + b64(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, iss.key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64(sig)
}

// TestCollectorOIDCAuth: the contrib oidc extension is in the
// distribution. With it guarding OTLP/HTTP and OTLP/gRPC, a request with a
// valid token from the issuer is stored; a missing, expired,
// wrong-audience, foreign-signed or malformed token gets 401
// (Unauthenticated) and stores nothing.
func TestCollectorOIDCAuth(t *testing.T) {
	iss := newTestIssuer(t)
	extra := fmt.Sprintf(`extensions:
  oidc:
    providers:
      - issuer_url: %s
        audience: overlook-ingest
receivers:
  otlp:
    protocols:
      http:
        auth:
          authenticator: oidc
      grpc:
        auth:
          authenticator: oidc
service:
  extensions: [overlook, oidc]
`, iss.srv.URL)
	s := newServer(t, extra)
	out, err := exec.Command(binary, append([]string{"config", "validate", "--config", s.configPath}, s.extraArgs...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "configuration is valid") {
		t.Fatalf("config validate: %v\n%s", err, out)
	}
	s.start()

	post := func(body, token string) (int, string) {
		t.Helper()
		raw, _ := nowLog(body).MarshalProto()
		req, _ := http.NewRequest("POST", "http://"+s.http+"/v1/logs", bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/x-protobuf")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		msg, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(msg)
	}
	other := &testIssuer{srv: iss.srv}
	if other.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	hour := time.Now().Add(time.Hour)
	for _, tc := range []struct{ name, token string }{
		{"missing", ""},
		{"expired", iss.token(t, "overlook-ingest", time.Now().Add(-time.Hour))},
		{"wrong audience", iss.token(t, "someone-else", hour)},
		{"signed by another key", other.token(t, "overlook-ingest", hour)},
		{"not a JWT", "not-a-token"},
	} {
		if code, msg := post("refused "+tc.name, tc.token); code != http.StatusUnauthorized {
			t.Errorf("%s token: %d %s, want 401", tc.name, code, msg)
		}
	}
	if code, msg := post("accepted", iss.token(t, "overlook-ingest", hour)); code != http.StatusOK {
		t.Fatalf("valid token: %d %s", code, msg)
	}
	// OTLP/gRPC: the token in the authorization metadata.
	client := grpcLogs(t, s.grpc)
	for _, tc := range []struct {
		name, token string
		want        codes.Code
	}{
		{"missing", "", codes.Unauthenticated},
		{"expired", iss.token(t, "overlook-ingest", time.Now().Add(-time.Hour)), codes.Unauthenticated},
		{"valid", iss.token(t, "overlook-ingest", hour), codes.OK},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if tc.token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tc.token)
		}
		_, err := client.Export(ctx, nowLog("grpc "+tc.name))
		cancel()
		if got := status.Code(err); got != tc.want {
			t.Errorf("gRPC %s token: %v, want %v", tc.name, err, tc.want)
		}
	}

	rows := s.search("logs", "").Rows
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprint(r["Body"]))
	}
	slices.Sort(got)
	if want := []string{"accepted", "grpc valid"}; !slices.Equal(got, want) {
		t.Fatalf("stored log bodies %q, want exactly %q (the valid tokens' requests)", got, want)
	}
}
