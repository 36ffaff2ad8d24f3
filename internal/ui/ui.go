// Package ui serves the web app (web/, built by Vite into dist/) embedded
// into the binary. A clean clone has only dist/.gitkeep: the handler then
// answers with a page saying how to build the UI, so `go build` and
// `go vet` work before `make build` has run.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// notBuilt is served when dist/index.html is missing.
const notBuilt = `<!doctype html><html><head><title>overlook</title></head><body style="font-family:sans-serif;padding:2em">
<h1>overlook: UI not built</h1><p>This binary was built without the web UI. Run <code>make build</code> (or <code>make run</code>),
which installs the npm packages in <code>web/</code> and builds the UI into <code>internal/ui/dist</code> before compiling.</p>
<p>The API is available under <code>/api/</code>.</p></body></html>`

// reserved prefixes belong to APIs; the SPA never answers them, so a
// missing endpoint is a 404 rather than the app's HTML.
var reserved = []string{"/api/", "/prometheus/", "/tempo/", "/v1/"}

// Handler serves the app: static assets by path, index.html for every
// other GET (client-side routes such as /search or /trace/<id>).
func Handler() http.Handler {
	sub, _ := fs.Sub(dist, "dist")
	return handler(sub)
}

func handler(files fs.FS) http.Handler {
	index, err := fs.ReadFile(files, "index.html")
	built := err == nil
	static := http.FileServerFS(files)
	gz := &gzipCache{files: files, enc: map[string][]byte{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		for _, p := range reserved {
			if strings.HasPrefix(r.URL.Path, p) || r.URL.Path+"/" == p {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if !built {
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write([]byte(notBuilt))
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
				w.Header().Del("Content-Type")
				if strings.HasPrefix(name, "assets/") {
					// Vite names assets by content hash.
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				if gz.serve(w, r, name) {
					return
				}
				static.ServeHTTP(w, r)
				return
			}
			if strings.HasPrefix(name, "assets/") {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
}
