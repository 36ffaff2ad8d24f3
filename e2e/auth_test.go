package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// apiClient talks to the API with a cookie jar and an optional bearer
// token, as a browser or Grafana would.
type apiClient struct {
	t      *testing.T
	base   string
	c      *http.Client
	bearer string
}

func newAPIClient(t *testing.T, base string) *apiClient {
	jar, _ := cookiejar.New(nil)
	return &apiClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// do sends a request; hdr holds header name/value pairs.
func (a *apiClient) do(method, path, ctype, body string, hdr ...string) (int, http.Header, string) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.base+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if a.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+a.bearer)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := a.c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (a *apiClient) json(method, path, body string) (int, string) {
	a.t.Helper()
	code, _, b := a.do(method, path, "application/json", body)
	return code, b
}

func (a *apiClient) login(email, password string) {
	a.t.Helper()
	if code, b := a.json("POST", "/api/login", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)); code != http.StatusOK {
		a.t.Fatalf("login %s: %d %s", email, code, b)
	}
}

func want(t *testing.T, what string, code int, body string, wantCode int, wantBody string) {
	t.Helper()
	if code != wantCode || !strings.Contains(body, wantBody) {
		t.Fatalf("%s: %d %s; want %d containing %q", what, code, body, wantCode, wantBody)
	}
}

// nowLog is one log record stamped now, with body.
func nowLog(body string) plogotlp.ExportRequest {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr(body)
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	return plogotlp.NewExportRequestFromLogs(ld)
}

const ingestKey = "e2e-ingest-key-0123456789abcdef"

// TestAuthIngestionKeys: with an ingestion key configured, OTLP/HTTP,
// OTLP/gRPC and Prometheus remote write refuse requests without the key
// or with a wrong one (401 / Unauthenticated, with a message) and store
// exactly the requests that carried it, in either header form.
func TestAuthIngestionKeys(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "ingest.key")
	if err := os.WriteFile(keyFile, []byte(ingestKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, fmt.Sprintf(`extensions:
  overlook:
    auth:
      ingestion_keys:
        - key_file: %s
          tenant: team-a
`, keyFile))
	s.start()

	logBody := func(body string) []byte {
		b, _ := nowLog(body).MarshalProto()
		return b
	}
	cases := []struct {
		name, auth string
		ok         bool
		msg        string
	}{
		{"none", "", false, "requires an ingestion key"},
		{"wrong", "Bearer not-the-key-at-all-000000", false, "not one this server accepts"},
		{"bearer", "Bearer " + ingestKey, true, ""},
		{"bare", ingestKey, true, ""}, // HyperDX's SDK form
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("POST", "http://"+s.http+"/v1/logs", bytes.NewReader(logBody("auth-http-"+tc.name)))
		req.Header.Set("Content-Type", "application/x-protobuf")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tc.ok && resp.StatusCode != 200 || !tc.ok && (resp.StatusCode != 401 || !bytes.Contains(b, []byte(tc.msg))) {
			t.Errorf("OTLP/HTTP %s: %d %q", tc.name, resp.StatusCode, b)
		}

		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if tc.auth != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", tc.auth)
		}
		_, err = grpcLogs(t, s.grpc).Export(ctx, nowLog("auth-grpc-"+tc.name))
		cancel()
		st, _ := status.FromError(err)
		if tc.ok && err != nil || !tc.ok && (st.Code() != codes.Unauthenticated || !strings.Contains(st.Message(), tc.msg)) {
			t.Errorf("OTLP/gRPC %s: %v", tc.name, err)
		}

		wr := prompb.WriteRequest{Timeseries: []prompb.TimeSeries{{
			Labels:  []prompb.Label{{Name: "__name__", Value: "auth_rw_total"}, {Name: "via", Value: tc.name}},
			Samples: []prompb.Sample{{Value: 1, Timestamp: time.Now().UnixMilli()}},
		}}}
		raw, _ := wr.Marshal()
		req, _ = http.NewRequest("POST", "http://"+s.api+"/prometheus/api/v1/write", bytes.NewReader(snappy.Encode(nil, raw)))
		req.Header.Set("Content-Type", "application/x-protobuf")
		req.Header.Set("Content-Encoding", "snappy")
		req.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if tc.ok && resp.StatusCode/100 != 2 || !tc.ok && (resp.StatusCode != 401 || !bytes.Contains(b, []byte(tc.msg))) {
			t.Errorf("remote write %s: %d %q", tc.name, resp.StatusCode, b)
		}
	}

	// Exactly the keyed requests were stored.
	got := map[string]int{}
	for _, row := range s.search("logs", "").Rows {
		got[fmt.Sprint(row["Body"])]++
	}
	wantLogs := map[string]int{"auth-http-bearer": 1, "auth-http-bare": 1, "auth-grpc-bearer": 1, "auth-grpc-bare": 1}
	if fmt.Sprint(got) != fmt.Sprint(wantLogs) {
		t.Errorf("stored logs %v, want %v", got, wantLogs)
	}
	var series struct {
		Data []map[string]string `json:"data"`
	}
	now := time.Now()
	s.getJSON(fmt.Sprintf("/prometheus/api/v1/series?match[]=auth_rw_total&start=%d&end=%d", now.Add(-time.Hour).Unix(), now.Add(time.Minute).Unix()), &series)
	var vias []string
	for _, l := range series.Data {
		vias = append(vias, l["via"])
	}
	if strings.Join(vias, ",") != "bare,bearer" && strings.Join(vias, ",") != "bearer,bare" {
		t.Errorf("remote-write series via %v, want bearer and bare only", vias)
	}
}

// TestAuthUsersSessionsTokens: first-run setup, login/logout, session
// expiry, roles (viewer cannot save a dashboard, editor can), API tokens
// on /api, /prometheus and /tempo, revocation, the login rate limit, the
// audit log and security headers — through the real binary.
func TestAuthUsersSessionsTokens(t *testing.T) {
	s := newServer(t, `extensions:
  overlook:
    auth:
      session_ttl: 3s
      login_rate_limit:
        attempts: 3
        window: 1m
`)
	s.start()
	base := "http://" + s.api
	anon := newAPIClient(t, base)

	code, body := anon.json("GET", "/api/auth/status", "")
	want(t, "status before setup", code, body, 200, `"setupRequired":true`)
	// Before any user exists, the API is open (existing installs keep working).
	code, _, _ = anon.do("GET", "/api/dashboards", "", "")
	want(t, "open before setup", code, "", 200, "")

	admin := newAPIClient(t, base)
	code, body = admin.json("POST", "/api/setup", `{"email":"admin@example.com","password":"admin-password"}`)
	want(t, "setup", code, body, 201, `"role":"admin"`)
	code, body = anon.json("POST", "/api/setup", `{"email":"evil@example.com","password":"evil-password"}`)
	want(t, "second setup", code, body, 409, "setup is done")

	// Now everything but health, login and the app shell needs credentials.
	for _, p := range []string{"/api/dashboards", "/api/fields?source=logs", "/prometheus/api/v1/labels", "/tempo/api/echo", "/metrics"} {
		code, hdr, body := anon.do("GET", p, "", "")
		want(t, "anonymous GET "+p, code, body, 401, "")
		if hdr.Get("WWW-Authenticate") == "" {
			t.Errorf("GET %s: 401 without WWW-Authenticate", p)
		}
	}
	for _, p := range []string{"/ready", "/healthz", "/", "/search"} {
		code, _, body := anon.do("GET", p, "", "")
		want(t, "public GET "+p, code, body, 200, "")
	}

	// Security headers on the UI, the API and errors.
	for _, p := range []string{"/", "/api/dashboards", "/api/nope"} {
		_, hdr, _ := anon.do("GET", p, "", "")
		for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if hdr.Get(k) != v {
				t.Errorf("GET %s: %s = %q, want %q", p, k, hdr.Get(k), v)
			}
		}
		if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
	}

	// Users with each role.
	for _, u := range []struct{ email, role string }{{"viewer@example.com", "viewer"}, {"editor@example.com", "editor"}} {
		code, body := admin.json("POST", "/api/users", fmt.Sprintf(`{"email":%q,"password":"password-%s","role":%q}`, u.email, u.role, u.role))
		want(t, "create "+u.role, code, body, 201, u.email)
	}
	viewer := newAPIClient(t, base)
	viewer.login("viewer@example.com", "password-viewer")
	editor := newAPIClient(t, base)
	editor.login("editor@example.com", "password-editor")

	dash := `{"name":"auth e2e","tiles":[]}`
	code, body = viewer.json("POST", "/api/dashboards", dash)
	want(t, "viewer saves a dashboard", code, body, 403, "needs the editor role")
	code, body = viewer.json("GET", "/api/dashboards", "")
	want(t, "viewer reads dashboards", code, body, 200, "")
	code, body = editor.json("POST", "/api/dashboards", dash)
	want(t, "editor saves a dashboard", code, body, 201, "auth e2e")
	code, body = editor.json("GET", "/api/users", "")
	want(t, "editor lists users", code, body, 403, "needs the admin role")

	// An API token, as a Grafana datasource uses it.
	code, body = admin.json("POST", "/api/tokens", `{"name":"grafana","role":"viewer"}`)
	want(t, "create token", code, body, 201, `"token":"olk_`)
	var tok struct {
		Token string
		Info  struct{ ID string }
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil {
		t.Fatal(err)
	}
	grafana := newAPIClient(t, base)
	grafana.bearer = tok.Token
	for _, p := range []string{"/api/dashboards", "/prometheus/api/v1/labels", "/tempo/api/echo"} {
		code, _, body := grafana.do("GET", p, "", "")
		want(t, "token GET "+p, code, body, 200, "")
	}
	code, _, body = grafana.do("POST", "/prometheus/api/v1/query", "application/x-www-form-urlencoded", "query=vector(1)")
	want(t, "token PromQL over POST", code, body, 200, `"status":"success"`)
	code, body = grafana.json("POST", "/api/dashboards", dash)
	want(t, "viewer token saves a dashboard", code, body, 403, "editor")
	code, body = admin.json("DELETE", "/api/tokens/"+tok.Info.ID, "")
	want(t, "revoke token", code, body, 200, "grafana")
	code, _, body = grafana.do("GET", "/api/dashboards", "", "")
	want(t, "revoked token", code, body, 401, "unknown or revoked")

	// Logout ends the session.
	code, body = viewer.json("POST", "/api/logout", `{}`)
	want(t, "logout", code, body, 200, "")
	code, body = viewer.json("GET", "/api/dashboards", "")
	want(t, "after logout", code, body, 401, "")

	// Sessions expire after session_ttl (3s).
	exp := newAPIClient(t, base)
	exp.login("editor@example.com", "password-editor")
	code, body = exp.json("GET", "/api/dashboards", "")
	want(t, "fresh session", code, body, 200, "")
	u, _ := url.Parse(base)
	cookies := exp.c.Jar.Cookies(u)
	if len(cookies) != 1 {
		t.Fatalf("session cookies %v", cookies)
	}
	time.Sleep(3500 * time.Millisecond)
	// The browser drops the cookie at Max-Age; a stale copy sent anyway is
	// refused by the server.
	code, _, body = exp.do("GET", "/api/dashboards", "", "", "Cookie", cookies[0].String())
	want(t, "expired session", code, body, 401, "expired")

	// Three failures, then 429 with Retry-After, even for the right password.
	for i := 0; i < 3; i++ {
		code, body = anon.json("POST", "/api/login", `{"email":"viewer@example.com","password":"wrong-password"}`)
		want(t, "wrong password", code, body, 401, "wrong email or password")
	}
	code, hdr, body := anon.do("POST", "/api/login", "application/json", `{"email":"viewer@example.com","password":"password-viewer"}`)
	want(t, "rate-limited login", code, body, 429, "too many failed logins")
	if ra := hdr.Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("429 Retry-After = %q", ra)
	}

	// The audit log, for admins only.
	code, body = viewer.json("GET", "/api/audit", "")
	want(t, "audit without a session", code, body, 401, "")
	admin.login("admin@example.com", "admin-password") // the setup session expired meanwhile
	code, body = admin.json("GET", "/api/audit", "")
	for _, w := range []string{
		`"actor":"anonymous","action":"setup","target":"admin@example.com","outcome":"ok"`,
		`"actor":"admin@example.com","action":"user.create","target":"viewer@example.com","outcome":"ok"`,
		`"action":"token.create","target":"grafana","outcome":"ok"`,
		`"action":"token.delete","target":"grafana","outcome":"ok"`,
		`"action":"login","target":"viewer@example.com","outcome":"failed"`,
		`"action":"login","target":"viewer@example.com","outcome":"rate_limited"`,
		`"actor":"viewer@example.com","action":"logout"`,
	} {
		want(t, "audit has "+w, code, body, 200, w)
	}
}

// TestAuthCrossSitePOSTRefused: the cross-site form POST (text/plain,
// from another origin) that created a dashboard before issue 14 is
// refused and creates nothing, while the app's own JSON request works.
func TestAuthCrossSitePOSTRefused(t *testing.T) {
	s := newServer(t, "")
	s.start()
	c := newAPIClient(t, "http://"+s.api)
	count := func() int {
		var out struct{ Dashboards []any }
		if code := s.getJSON("/api/dashboards", &out); code != 200 {
			t.Fatalf("list dashboards: %d", code)
		}
		return len(out.Dashboards)
	}
	before := count()
	dash := `{"name":"csrf","tiles":[]}`
	code, _, body := c.do("POST", "/api/dashboards", "text/plain", dash, "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site")
	want(t, "cross-site text/plain POST", code, body, 403, "cross-site request refused")
	code, _, body = c.do("POST", "/api/dashboards", "text/plain", dash, "Origin", "http://evil.example")
	want(t, "cross-origin POST (no Sec-Fetch-Site)", code, body, 403, "cross-site request refused")
	code, _, body = c.do("POST", "/api/dashboards", "text/plain", dash)
	want(t, "text/plain POST", code, body, 415, "application/json")
	if n := count(); n != before {
		t.Fatalf("dashboards %d → %d after refused requests", before, n)
	}
	code, _, body = c.do("POST", "/api/dashboards", "application/json", dash, "Origin", "http://"+s.api, "Sec-Fetch-Site", "same-origin")
	want(t, "same-origin JSON POST", code, body, 201, "csrf")
	if n := count(); n != before+1 {
		t.Fatalf("dashboards %d → %d after the app's request", before, n)
	}
}

func userAdd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary, append([]string{"user", "add"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("overlook user add %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestUserAddCLI: `overlook user add` works on a stopped server's data
// directory and on a running server's (which picks the user up without a
// restart).
func TestUserAddCLI(t *testing.T) {
	s := newServer(t, "")
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("cli-password-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Stopped: before the first start.
	out := userAdd(t, "--data", s.dataDir, "--email", "ops@example.com", "--role", "admin", "--password-file", pw)
	if !strings.Contains(out, "ops@example.com added with role admin") {
		t.Fatalf("user add said %q", out)
	}
	s.start()
	base := "http://" + s.api
	code, body := newAPIClient(t, base).json("GET", "/api/dashboards", "")
	want(t, "anonymous after CLI user", code, body, 401, "")
	ops := newAPIClient(t, base)
	ops.login("ops@example.com", "cli-password-1")
	code, body = ops.json("GET", "/api/dashboards", "")
	want(t, "CLI-made admin", code, body, 200, "")

	// Running: same flags as serve (--config, --data).
	userAdd(t, "--config", s.configPath, "--data", s.dataDir, "--email", "late@example.com", "--role", "viewer", "--password-file", pw)
	late := newAPIClient(t, base)
	late.login("late@example.com", "cli-password-1")
	code, body = late.json("GET", "/api/dashboards", "")
	want(t, "user added while running", code, body, 200, "")
	code, body = late.json("POST", "/api/dashboards", `{"name":"x","tiles":[]}`)
	want(t, "CLI viewer saves a dashboard", code, body, 403, "editor")

	// Errors name the problem.
	cmd := exec.Command(binary, "user", "add", "--data", s.dataDir, "--email", "late@example.com", "--role", "viewer", "--password-file", pw)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "already exists") {
		t.Fatalf("duplicate user: %v %s", err, out)
	}
	code, body = ops.json("GET", "/api/audit", "")
	want(t, "audit of CLI adds", code, body, 200, `"action":"user.create","target":"late@example.com","outcome":"ok"`)
}

// TestCollectorBasicAuth: the contrib basicauth extension is in the
// distribution: a config using it validates, and the receiver it guards
// refuses a request without credentials.
func TestCollectorBasicAuth(t *testing.T) {
	extra := `extensions:
  basicauth/otlp:
    htpasswd:
      inline: |
        alice:alice-secret
receivers:
  otlp:
    protocols:
      http:
        auth:
          authenticator: basicauth/otlp
service:
  extensions: [overlook, basicauth/otlp]
`
	s := newServer(t, extra)
	out, err := exec.Command(binary, append([]string{"config", "validate", "--config", s.configPath}, s.extraArgs...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "configuration is valid") {
		t.Fatalf("config validate: %v\n%s", err, out)
	}
	s.start()
	raw, _ := nowLog("basic").MarshalProto()
	code, msg := postRaw(t, "http://"+s.http+"/v1/logs", "application/x-protobuf", raw)
	if code != http.StatusUnauthorized {
		t.Fatalf("without credentials: %d %s", code, msg)
	}
	req, _ := http.NewRequest("POST", "http://"+s.http+"/v1/logs", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.SetBasicAuth("alice", "alice-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("with credentials: %d", resp.StatusCode)
	}
	if n := len(s.search("logs", "").Rows); n != 1 {
		t.Fatalf("%d logs stored, want 1", n)
	}
}
