package overlookext

import (
	"net/http"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/overlook-dev/overlook/internal/ingest/inflight"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// inflightRetryAfter is the delay a refused sender is asked to wait: the
// requests in flight are answered within about a commit interval, so the
// room is back soon.
const inflightRetryAfter = time.Second

// newInflight makes the process-wide bound on the push requests being
// decoded (ingest::max_inflight_bytes, internal/ingest/inflight). The
// configuration was validated: a parse error cannot happen here, and
// falls back to the default.
func newInflight(c IngestConfig, m *telemetry.Metrics) *inflight.Limiter {
	limit, err := c.maxInflightBytes()
	if err != nil {
		limit = DefaultInflightBytes
	}
	var g inflight.Gauge
	if m != nil {
		m.Ingest.InflightLimit.Set(float64(limit))
		g = m.Ingest.InflightBytes
	}
	return inflight.New(limit, g)
}

// Inflight is the bound shared by every push path (the OTLP receivers'
// middleware, remote write).
func (e *Extension) Inflight() *inflight.Limiter { return e.inflight }

// refuseInflight answers an OTLP/HTTP request that does not fit with 503
// and Retry-After (OTLP/HTTP's retryable "server overloaded"), counting it.
func (e *Extension) refuseInflight(w http.ResponseWriter, enc bodyEncoding, err error) {
	e.metrics.Ingest.InflightRefused.WithLabelValues("http").Inc()
	w.Header().Set("Retry-After", strconv.Itoa(int(inflightRetryAfter.Seconds())))
	writeStatus(w, enc, http.StatusServiceUnavailable, err.Error())
}

// inflightStatus is the gRPC answer to a request that does not fit:
// UNAVAILABLE (retryable in OTLP without conditions, as the
// memory_limiter's refusals are) with a RetryInfo delay.
func inflightStatus(err error) error {
	st := status.New(codes.Unavailable, err.Error())
	if d, derr := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(inflightRetryAfter)}); derr == nil {
		st = d
	}
	return st.Err()
}

// inflightUnknownBody is charged before a body of unknown length (chunked,
// or compressed: the decompressor hides the length) is read, so that a
// full limiter refuses it before reading it.
const inflightUnknownBody = 1

// bodyWeight is what an OTLP/HTTP request is charged before its body is
// read.
func bodyWeight(contentLength int64) int64 {
	if contentLength <= 0 {
		return inflight.Weight(inflightUnknownBody)
	}
	return inflight.Weight(contentLength)
}
