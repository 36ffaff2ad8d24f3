package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

func newDashboardServer(t *testing.T) *httptest.Server {
	t.Helper()
	ms, err := meta.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a := New(Options{Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler), Meta: ms,
		UI: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ui") })})
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

const hyperdxExport = `{"version":"0.1.0","name":"Temporal Cloud Metrics","tags":[],"filters":[],"tiles":[
 {"id":"t1","x":0,"y":0,"w":8,"h":10,"config":{"name":"Workflow success","source":"Metrics","displayType":"line",
  "select":[{"aggFn":"sum","valueExpression":"Value","metricName":"temporal_cloud_v1_workflow_success_count","metricType":"gauge"}],
  "where":"","whereLanguage":"lucene","groupBy":"","granularity":"auto"}}]}`

func TestDashboardsAPI(t *testing.T) {
	srv := newDashboardServer(t)
	base := srv.URL + "/api/dashboards"

	code, body := call(t, "POST", base, `{"name":"Mine","tiles":[{"x":0,"y":0,"w":6,"h":4,"config":{"name":"c","source":"logs","select":[{"aggFn":"count"}]}}]}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var created meta.Dashboard
	_ = json.Unmarshal([]byte(body), &created)

	code, body = call(t, "POST", base+"/import", hyperdxExport)
	if code != http.StatusCreated || !strings.Contains(body, `"source":"metrics"`) {
		t.Fatalf("import: %d %s", code, body)
	}
	var imported meta.Dashboard
	_ = json.Unmarshal([]byte(body), &imported)

	tests := []struct {
		name, method, path, body string
		wantCode                 int
		wantIn                   string
	}{
		{"list", "GET", "", "", 200, `"name":"Temporal Cloud Metrics"`},
		{"get", "GET", "/" + created.ID, "", 200, `"name":"Mine"`},
		{"get unknown", "GET", "/nope", "", 404, "not found"},
		{"update", "PUT", "/" + created.ID, `{"name":"Renamed","tiles":[]}`, 200, `"name":"Renamed"`},
		{"update unknown", "PUT", "/nope", `{"name":"x"}`, 404, "not found"},
		{"update without name", "PUT", "/" + created.ID, `{"name":" "}`, 400, "name is empty"},
		{"bad source", "POST", "", `{"name":"x","tiles":[{"config":{"source":"sessions"}}]}`, 400, "unknown"},
		{"unknown field", "POST", "", `{"name":"x","bogus":1}`, 400, "bogus"},
		{"duplicate", "POST", "/" + created.ID + "/duplicate", "", 201, `"name":"Renamed (copy)"`},
		{"export hyperdx", "GET", "/" + imported.ID + "/export?format=hyperdx", "", 200, `"source":"Metrics"`},
		{"export overlook", "GET", "/" + imported.ID + "/export", "", 200, `"format":"overlook"`},
		{"export bad format", "GET", "/" + imported.ID + "/export?format=grafana", "", 400, "unknown export format"},
		{"import garbage", "POST", "/import", `{"name":"x","tiles":[{"config":{"source":"Sessions"}}]}`, 400, "unknown source"},
		{"delete", "DELETE", "/" + created.ID, "", 204, ""},
		{"delete again", "DELETE", "/" + created.ID, "", 404, "not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := call(t, tc.method, base+tc.path, tc.body)
			if code != tc.wantCode || !strings.Contains(body, tc.wantIn) {
				t.Fatalf("%s %s: %d %s; want %d containing %q", tc.method, tc.path, code, body, tc.wantCode, tc.wantIn)
			}
		})
	}
}

func TestUIMountedAtRoot(t *testing.T) {
	srv := newDashboardServer(t)
	if code, body := call(t, "GET", srv.URL+"/search", ""); code != 200 || body != "ui" {
		t.Fatalf("GET /search: %d %q", code, body)
	}
	if code, _ := call(t, "GET", srv.URL+"/api/nope", ""); code != 404 {
		t.Fatalf("GET /api/nope: %d, want the API's 404", code)
	}
}
