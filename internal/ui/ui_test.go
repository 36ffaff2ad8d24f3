package ui

import (
	"compress/gzip"
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

func TestGzipAssets(t *testing.T) {
	big := strings.Repeat("console.log('overlook');\n", 200)
	h := handler(fstest.MapFS{
		"index.html":         {Data: []byte("<html>app</html>")},
		"assets/app-1.js":    {Data: []byte(big)},
		"assets/tiny-1.js":   {Data: []byte("x")},
		"assets/logo-1.png":  {Data: []byte(big)},
		"assets/style-1.css": {Data: []byte(strings.Repeat("a{b:c}", 400))},
	})
	tests := []struct {
		path, accept string
		gzipped      bool
	}{
		{"/assets/app-1.js", "gzip, deflate, br", true},
		{"/assets/style-1.css", "br;q=1.0, gzip;q=0.8", true},
		{"/assets/app-1.js", "", false},
		{"/assets/app-1.js", "gzip;q=0", false},
		{"/assets/app-1.js", "br", false},
		{"/assets/tiny-1.js", "gzip", false},
		{"/assets/logo-1.png", "gzip", false},
	}
	for _, tc := range tests {
		t.Run(tc.path+" "+tc.accept, func(t *testing.T) {
			req := httptest.NewRequest("GET", tc.path, nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			got := res.Header.Get("Content-Encoding") == "gzip"
			if got != tc.gzipped {
				t.Fatalf("gzipped = %v, want %v", got, tc.gzipped)
			}
			body := res.Body
			if got {
				if res.Header.Get("Vary") != "Accept-Encoding" || !strings.Contains(res.Header.Get("Content-Type"), "/") {
					t.Fatalf("headers: %v", res.Header)
				}
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			}
			raw, err := io.ReadAll(body)
			if err != nil {
				t.Fatal(err)
			}
			if path := strings.TrimPrefix(tc.path, "/"); len(raw) == 0 || (path == "assets/app-1.js" && string(raw) != big) {
				t.Fatalf("body of %s: %d bytes", path, len(raw))
			}
		})
	}
}
