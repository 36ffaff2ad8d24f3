package overlookext

import (
	"context"
	"errors"
	"io"
	"net/http"
)

// GetHTTPHandler implements extensionmiddleware.HTTPServer. Referenced from
// an HTTP receiver's `middlewares: [{id: overlook}]`, it answers bodies over
// the receiver's max_request_body_size with 413 Request Entity Too Large
// instead of the generic 400 the OTLP receiver sends, so clients can tell
// "split your batch" from "your payload is malformed".
func (e *Extension) GetHTTPHandler(context.Context) (func(context.Context, http.Handler) (http.Handler, error), error) {
	return func(_ context.Context, next http.Handler) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := &limitWatcher{ReadCloser: r.Body}
			r.Body = body
			next.ServeHTTP(&tooLargeWriter{ResponseWriter: w, body: body}, r)
		}), nil
	}, nil
}

// limitWatcher records whether reading hit http.MaxBytesReader's limit.
type limitWatcher struct {
	io.ReadCloser
	hit bool
}

func (l *limitWatcher) Read(p []byte) (int, error) {
	n, err := l.ReadCloser.Read(p)
	var tooBig *http.MaxBytesError
	if err != nil && errors.As(err, &tooBig) {
		l.hit = true
	}
	return n, err
}

// tooLargeWriter turns the 400 written after a body-limit hit into a 413.
type tooLargeWriter struct {
	http.ResponseWriter
	body *limitWatcher
}

func (w *tooLargeWriter) WriteHeader(code int) {
	if code == http.StatusBadRequest && w.body.hit {
		code = http.StatusRequestEntityTooLarge
	}
	w.ResponseWriter.WriteHeader(code)
}
