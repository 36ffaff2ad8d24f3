package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, method, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body), rec.Result().Header
}

func TestHandler(t *testing.T) {
	built := handler(fstest.MapFS{
		"index.html":      {Data: []byte("<html>app</html>")},
		"assets/app-1.js": {Data: []byte("js")},
		"favicon.svg":     {Data: []byte("<svg/>")},
	})
	unbuilt := handler(fstest.MapFS{".gitkeep": {}})
	tests := []struct {
		name   string
		h      http.Handler
		method string
		path   string
		code   int
		body   string
	}{
		{"index", built, "GET", "/", 200, "app"},
		{"client route", built, "GET", "/trace/abc", 200, "app"},
		{"asset", built, "GET", "/assets/app-1.js", 200, "js"},
		{"missing asset", built, "GET", "/assets/gone.js", 404, ""},
		{"file", built, "GET", "/favicon.svg", 200, "svg"},
		{"api reserved", built, "GET", "/prometheus/api/v1/query", 404, ""},
		{"post", built, "POST", "/", 405, ""},
		{"not built", unbuilt, "GET", "/search", 200, "make build"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := get(t, tc.h, tc.method, tc.path)
			if code != tc.code || !strings.Contains(body, tc.body) {
				t.Fatalf("%s %s = %d %q, want %d containing %q", tc.method, tc.path, code, body, tc.code, tc.body)
			}
		})
	}
	if _, _, h := get(t, built, "GET", "/assets/app-1.js"); !strings.Contains(h.Get("Cache-Control"), "immutable") {
		t.Fatalf("assets are not cached as immutable: %q", h.Get("Cache-Control"))
	}
}

func TestEmbeddedHandlerServes(t *testing.T) {
	code, body, _ := get(t, Handler(), "GET", "/")
	if code != 200 || !strings.Contains(body, "<") {
		t.Fatalf("embedded handler: %d %q", code, body)
	}
}
