package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/overlook-dev/overlook/internal/alerting/search"
	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

func newAlertServer(t *testing.T) (*httptest.Server, *meta.Store) {
	t.Helper()
	dir := t.TempDir()
	ms, err := meta.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	as, err := meta.OpenAlerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	sched := search.New(search.Options{Alerts: as, Dashboards: ms, Logger: slog.New(slog.DiscardHandler),
		Retry: search.RetryConfig{Attempts: 1}})
	a := New(Options{Metrics: telemetry.New(), Logger: slog.New(slog.DiscardHandler), Meta: ms,
		Alerts: AlertOptions{Store: as, Scheduler: sched}})
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return srv, ms
}

func TestAlertsAPIValidation(t *testing.T) {
	srv, _ := newAlertServer(t)
	ok := `"name":"errors","source":"logs","query":"SeverityText:ERROR","interval":"1m","threshold":10,"channel":{"type":"webhook","url":"http://127.0.0.1:9/"}`
	for _, c := range []struct {
		body, field, msg string
	}{
		{`{"source":"logs","interval":"1m","channel":{"type":"webhook","url":"http://x"}}`, "name", "invalid alert: name: is empty"},
		{`{` + strings.Replace(ok, `"1m"`, `"1s"`, 1) + `}`, "interval", "invalid alert: interval: 1s is out of range: use 5s to 7d"},
		{`{` + strings.Replace(ok, `"logs"`, `"spans"`, 1) + `}`, "source", `invalid alert: source: "spans" is unknown`},
		{`{` + ok + `,"thresholdType":"over"}`, "thresholdType", `invalid alert: thresholdType: "over" is unknown: use above, below, above_exclusive, below_or_equal, equal, not_equal, between, not_between`},
		{`{` + strings.Replace(ok, `SeverityText:ERROR`, `SeverityText:(`, 1) + `}`, "query", "invalid alert: query:"},
		{`{` + strings.Replace(ok, `webhook`, `pager`, 1) + `}`, "channel", `invalid alert: channel: type "pager" is unknown`},
		{`{` + ok + `,"dashboardId":"nope","tileId":"t"}`, "source", "a tile alert evaluates the tile's chart"},
	} {
		code, body := call(t, "POST", srv.URL+"/api/alerts", c.body)
		var e chartErrorBody
		_ = json.Unmarshal([]byte(body), &e)
		if code != http.StatusBadRequest || e.Field != c.field || !strings.Contains(e.Error, c.msg) {
			t.Errorf("POST %s = %d %s, want 400 on %s with %q", c.body, code, body, c.field, c.msg)
		}
	}
	code, body := call(t, "POST", srv.URL+"/api/alerts", `{`+ok+`,"bogus":1}`)
	if code != http.StatusBadRequest || !strings.Contains(body, `unknown field \"bogus\"`) {
		t.Errorf("unknown field: %d %s", code, body)
	}
}

func TestAlertsAPILifecycle(t *testing.T) {
	srv, ms := newAlertServer(t)
	var mu sync.Mutex
	var posts []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		mu.Lock()
		posts = append(posts, m)
		mu.Unlock()
	}))
	defer hook.Close()

	code, body := call(t, "POST", srv.URL+"/api/alerts", `{"name":"errors","source":"logs","query":"SeverityText:ERROR",`+
		`"whereLanguage":"lucene","groupBy":[],"interval":"1m","thresholdType":"above","threshold":10,"channel":{"type":"webhook","url":"`+hook.URL+`"}}`)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var a struct {
		ID, State, Name, LinkBase string
		History                   []any
	}
	_ = json.Unmarshal([]byte(body), &a)
	if a.ID == "" || a.State != "ok" || a.Name != "errors" || !strings.HasPrefix(a.LinkBase, "http://127.0.0.1:") {
		t.Fatalf("created: %s", body)
	}
	base := srv.URL + "/api/alerts/" + a.ID

	code, body = call(t, "GET", srv.URL+"/api/alerts", "")
	if code != 200 || !strings.Contains(body, `"id":"`+a.ID+`"`) || !strings.Contains(body, `"state":"ok"`) {
		t.Fatalf("list: %d %s", code, body)
	}
	code, body = call(t, "POST", base+"/silence", `{"until":"2099-01-01T00:00:00Z"}`)
	if code != 200 || !strings.Contains(body, `"state":"silenced"`) || !strings.Contains(body, `"silenceUntil":"2099-01-01T00:00:00Z"`) {
		t.Fatalf("silence: %d %s", code, body)
	}
	code, body = call(t, "POST", base+"/silence", `{"until":"2001-01-01T00:00:00Z"}`)
	if code != 400 || !strings.Contains(body, "is in the past") {
		t.Fatalf("silence in the past: %d %s", code, body)
	}
	code, body = call(t, "DELETE", base+"/silence", "")
	if code != 200 || !strings.Contains(body, `"state":"ok"`) || strings.Contains(body, "silenceUntil") ||
		!strings.Contains(body, `"state":"silenced"`) || !strings.Contains(body, `"state":"unsilenced"`) {
		t.Fatalf("unsilence (history keeps both): %d %s", code, body)
	}

	code, body = call(t, "POST", base+"/test", "")
	if code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("test notice: %d %s", code, body)
	}
	mu.Lock()
	if len(posts) != 1 || posts[0]["status"] != "firing" || posts[0]["version"] != "4" {
		t.Fatalf("receiver got %v", posts)
	}
	mu.Unlock()
	code, body = call(t, "POST", srv.URL+"/api/alerts/test-channel", `{"channel":{"type":"webhook","url":"`+hook.URL+`/x"}}`)
	if code != 200 {
		t.Fatalf("test channel: %d %s", code, body)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no such hook", 404) }))
	defer bad.Close()
	code, body = call(t, "POST", srv.URL+"/api/alerts/test-channel", `{"channel":{"type":"slack","url":"`+bad.URL+`"}}`)
	if code != http.StatusBadGateway || !strings.Contains(body, "404 Not Found: no such hook") {
		t.Fatalf("failing channel: %d %s", code, body)
	}
	code, body = call(t, "POST", srv.URL+"/api/alerts/test-channel", `{"channel":{"type":"slack"}}`)
	if code != 400 || !strings.Contains(body, "url") {
		t.Fatalf("invalid channel: %d %s", code, body)
	}

	code, body = call(t, "PUT", base, `{"name":"errors2","source":"logs","query":"SeverityText:ERROR","interval":"5m","threshold":3,"channel":{"type":"slack","url":"`+hook.URL+`"}}`)
	if code != 200 || !strings.Contains(body, `"name":"errors2"`) || !strings.Contains(body, `"interval":"5m"`) {
		t.Fatalf("update: %d %s", code, body)
	}

	// A tile alert on an existing tile.
	d, err := ms.Create(meta.Dashboard{Name: "d", Tiles: []meta.Tile{{ID: "t1", Config: meta.TileConfig{Name: "p95",
		Source: "traces", Select: []meta.Select{{AggFn: "count"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	code, body = call(t, "POST", srv.URL+"/api/alerts", `{"name":"tile","dashboardId":"`+d.ID+`","tileId":"t1","interval":"1m","threshold":1,"channel":{"type":"webhook","url":"`+hook.URL+`"}}`)
	if code != http.StatusCreated || !strings.Contains(body, `"tileId":"t1"`) {
		t.Fatalf("tile alert: %d %s", code, body)
	}
	code, body = call(t, "POST", srv.URL+"/api/alerts", `{"name":"tile","dashboardId":"`+d.ID+`","tileId":"zz","interval":"1m","threshold":1,"channel":{"type":"webhook","url":"`+hook.URL+`"}}`)
	if code != 400 || !strings.Contains(body, `"field":"tileId"`) {
		t.Fatalf("unknown tile: %d %s", code, body)
	}

	if code, body = call(t, "DELETE", base, ""); code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, body = call(t, "GET", base, ""); code != 404 || !strings.Contains(body, "alert "+a.ID+" not found") {
		t.Fatalf("get deleted: %d %s", code, body)
	}
}
