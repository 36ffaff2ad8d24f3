package storeexporter

import (
	"errors"
	"fmt"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/overlook-dev/overlook/internal/store"
)

// Retry hints sent with refusals. The OTLP receiver turns a gRPC status's
// RetryInfo into the HTTP Retry-After header (whole seconds) of its 503,
// and gRPC clients read it from the status details (OTLP throttling).
const (
	// retryOverloaded: the queue drains within a few commits.
	retryOverloaded = time.Second
	// retryUnavailable: the store probes its disk and database every
	// second and tries to reopen every 5 s.
	retryUnavailable = 5 * time.Second
)

// refusal is the error an export that stored nothing returns: a gRPC
// status the OTLP receiver passes through unchanged (gRPC Unavailable;
// HTTP 503), with a retry hint when the store said when to come back.
func refusal(signal string, err error) error {
	msg := fmt.Sprintf("store %s: %v", signal, err)
	var delay time.Duration
	switch {
	case errors.Is(err, store.ErrOverloaded):
		delay = retryOverloaded
	case errors.Is(err, store.ErrUnavailable):
		delay = retryUnavailable
	default:
		// Not a status the receiver would map otherwise: keep the error
		// (the receiver answers it as retryable Unavailable).
		return fmt.Errorf("store %s: %w", signal, err)
	}
	st, derr := status.New(codes.Unavailable, msg).WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)})
	if derr != nil {
		return status.Error(codes.Unavailable, msg)
	}
	return &statusError{st: st, err: err}
}

// statusError carries a gRPC status and still unwraps to the store's
// error, so errors.Is keeps working along the pipeline.
type statusError struct {
	st  *status.Status
	err error
}

func (e *statusError) Error() string              { return e.st.Message() }
func (e *statusError) GRPCStatus() *status.Status { return e.st }
func (e *statusError) Unwrap() error              { return e.err }
