package ui

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// compressible lists the asset types worth gzipping (images and fonts are
// compressed already).
var compressible = map[string]bool{
	".js": true, ".mjs": true, ".css": true, ".html": true, ".svg": true,
	".json": true, ".map": true, ".txt": true,
}

// minGzip is the size below which compressing does not pay.
const minGzip = 1024

// gzipCache holds each embedded asset's gzip encoding, made on first
// request (the files are immutable, so it never goes stale).
type gzipCache struct {
	files fs.FS
	mu    sync.Mutex
	enc   map[string][]byte // nil value: not worth compressing
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (listed with no q, or q > 0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimSpace(params), "=")
		if !ok || strings.TrimSpace(k) != "q" {
			return true
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q > 0
	}
	return false
}

// serve writes name gzip-encoded when the client accepts it and the file
// is worth it, and reports whether it did.
func (c *gzipCache) serve(w http.ResponseWriter, r *http.Request, name string) bool {
	ext := path.Ext(name)
	if !compressible[ext] || !acceptsGzip(r) {
		return false
	}
	body, ok := c.encoded(name)
	if !ok {
		return false
	}
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	if ct := mime.TypeByExtension(ext); ct != "" {
		h.Set("Content-Type", ct)
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	return true
}

func (c *gzipCache) encoded(name string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if body, seen := c.enc[name]; seen {
		return body, body != nil
	}
	raw, err := fs.ReadFile(c.files, name)
	if err != nil || len(raw) < minGzip {
		c.enc[name] = nil
		return nil, false
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, werr := zw.Write(raw)
	if cerr := zw.Close(); werr != nil || cerr != nil || buf.Len() >= len(raw) {
		c.enc[name] = nil
		return nil, false
	}
	c.enc[name] = buf.Bytes()
	return c.enc[name], true
}
