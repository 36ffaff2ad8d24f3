package overlookext

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/overlook-dev/overlook/internal/ingest/inflight"
	"github.com/overlook-dev/overlook/internal/ingest/otlpguard"
)

// GetHTTPHandler implements extensionmiddleware.HTTPServer. The distro's
// config converter adds `middlewares: [{id: overlook}]` to every OTLP
// receiver's HTTP protocol. For each OTLP/HTTP export it
//   - refuses requests that do not fit ingest::max_inflight_bytes, the
//     process-wide bound on the requests being decoded, with 503 and
//     Retry-After before decoding them (ingest_inflight.go);
//   - answers bodies over the receiver's max_request_body_size with 413
//     (not the receiver's generic 400), so clients can tell "split your
//     batch" from "your payload is malformed";
//   - scans the (decompressed) body with otlpguard before the receiver
//     decodes it, refusing values nested deeper than
//     ingest::max_nesting_depth and requests over ingest::max_request_items
//     with 400: the decoder recurses per nesting level and would overflow
//     the stack;
//   - turns the receiver's 500 "failed to marshal error message" — what it
//     answers when the decoder's error message is not valid UTF-8, as the
//     JSON decoder's are for e.g. protobuf bytes or `timeUnixNano: -5` —
//     into the 400 the client's mistake deserves.
func (e *Extension) GetHTTPHandler(context.Context) (func(context.Context, http.Handler) (http.Handler, error), error) {
	lim := e.cfg.Ingest.guardLimits()
	return func(_ context.Context, next http.Handler) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r, ok := e.authorizeHTTP(w, r) // ingestion keys (middleware_auth.go)
			if !ok {
				return
			}
			enc := encodingOf(r)
			if r.Method != http.MethodPost || enc == encNone {
				next.ServeHTTP(w, r) // the receiver answers 405 / 415
				return
			}
			// The bound on requests in flight (ingest_inflight.go): a
			// full limiter refuses before the body is read; the hold
			// grows to the body's size once it is known, and is released
			// when the request is answered.
			hold, err := e.inflight.Acquire(bodyWeight(r.ContentLength))
			if err != nil {
				_ = r.Body.Close()
				e.refuseInflight(w, enc, err)
				return
			}
			defer hold.Release()
			body, err := io.ReadAll(r.Body)
			_ = r.Body.Close()
			if err == nil {
				if gerr := hold.GrowTo(inflight.Weight(int64(len(body)))); gerr != nil {
					e.refuseInflight(w, enc, gerr)
					return
				}
			}
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					e.refused("http", "body_size")
					writeStatus(w, enc, http.StatusRequestEntityTooLarge, fmt.Sprintf(
						"request body is over %d bytes (receivers::otlp::protocols::http::max_request_body_size): send smaller batches or raise the limit", tooBig.Limit))
					return
				}
				writeStatus(w, enc, http.StatusBadRequest, "read request body: "+err.Error())
				return
			}
			sig := signalOfPath(r.URL.Path)
			if enc == encJSON {
				err = otlpguard.ScanJSON(body, lim)
			} else {
				err = otlpguard.ScanProto(sig, body, lim)
			}
			if err != nil {
				e.refused("http", reason(err))
				writeStatus(w, enc, http.StatusBadRequest, err.Error())
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			hw := &heldErrorWriter{ResponseWriter: w}
			next.ServeHTTP(hw, r)
			hw.finish(func() (int, string) {
				if derr := decodeErr(sig, enc, body); derr != nil {
					e.refused("http", "malformed")
					return http.StatusBadRequest, strings.ToValidUTF8(derr.Error(), "\uFFFD")
				}
				return http.StatusInternalServerError, "the receiver could not encode its error message"
			}, enc)
		}), nil
	}, nil
}

type bodyEncoding int

const (
	encNone bodyEncoding = iota
	encProto
	encJSON
)

func encodingOf(r *http.Request) bodyEncoding {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return encNone
	}
	switch mt {
	case "application/x-protobuf":
		return encProto
	case "application/json":
		return encJSON
	}
	return encNone
}

// signalOfPath maps the receiver's default paths (/v1/traces, ...) to the
// request type. Protobuf bodies sent to other paths are not scanned.
func signalOfPath(p string) otlpguard.Signal {
	switch {
	case strings.HasSuffix(p, "/traces"):
		return otlpguard.Traces
	case strings.HasSuffix(p, "/logs"):
		return otlpguard.Logs
	case strings.HasSuffix(p, "/metrics"):
		return otlpguard.Metrics
	}
	return otlpguard.Unknown
}

func reason(err error) string {
	var le *otlpguard.LimitError
	switch {
	case errors.As(err, &le) && le.Key == otlpguard.DepthKey:
		return "nesting_depth"
	case errors.As(err, &le):
		return "items"
	}
	return "malformed"
}

func (e *Extension) refused(transport, reason string) {
	e.metrics.Ingest.Refused.WithLabelValues(transport, reason).Inc()
}

// decodeErr decodes body again to recover the decoder's error.
func decodeErr(sig otlpguard.Signal, enc bodyEncoding, body []byte) error {
	type decoder interface {
		UnmarshalProto([]byte) error
		UnmarshalJSON([]byte) error
	}
	var d decoder
	switch sig {
	case otlpguard.Traces:
		req := ptraceotlp.NewExportRequest()
		d = &req
	case otlpguard.Metrics:
		req := pmetricotlp.NewExportRequest()
		d = &req
	default:
		req := plogotlp.NewExportRequest()
		d = &req
	}
	if enc == encJSON {
		return d.UnmarshalJSON(body)
	}
	return d.UnmarshalProto(body)
}

// receiverFallback is what the OTLP receiver answers (with 500) when it
// cannot encode an error message.
const receiverFallback = `{"code": 13, "message": "failed to marshal error message"}`

// heldErrorWriter holds back a 500 answer until finish decides about it.
type heldErrorWriter struct {
	http.ResponseWriter
	held bool
	buf  bytes.Buffer
}

func (w *heldErrorWriter) WriteHeader(code int) {
	if code == http.StatusInternalServerError {
		w.held = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *heldErrorWriter) Write(p []byte) (int, error) {
	if w.held {
		return w.buf.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// finish sends a held answer; the receiver's fallback is replaced by
// replace's status and message.
func (w *heldErrorWriter) finish(replace func() (int, string), enc bodyEncoding) {
	if !w.held {
		return
	}
	if w.buf.String() == receiverFallback {
		code, msg := replace()
		writeStatus(w.ResponseWriter, enc, code, msg)
		return
	}
	w.ResponseWriter.WriteHeader(http.StatusInternalServerError)
	_, _ = w.ResponseWriter.Write(w.buf.Bytes())
}

// writeStatus answers with an OTLP error body: a google.rpc.Status in the
// request's encoding.
func writeStatus(w http.ResponseWriter, enc bodyEncoding, httpCode int, msg string) {
	code := codes.InvalidArgument
	switch {
	case httpCode >= 500:
		code = codes.Internal
	case httpCode == http.StatusUnauthorized:
		code = codes.Unauthenticated
	case httpCode == http.StatusForbidden:
		code = codes.PermissionDenied
	}
	var b []byte
	if enc == encJSON {
		w.Header().Set("Content-Type", "application/json")
		b, _ = json.Marshal(struct {
			Code    int32  `json:"code"`
			Message string `json:"message"`
		}{int32(code), msg})
	} else {
		w.Header().Set("Content-Type", "application/x-protobuf")
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(code))
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, msg)
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(httpCode)
	_, _ = w.Write(b)
}
