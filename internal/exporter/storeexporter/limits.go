package storeexporter

import (
	"errors"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/overlook-dev/overlook/internal/ingest/limits"
	"github.com/overlook-dev/overlook/internal/tenancy/overrides"
)

// admit takes n items of sig from tenant's ingestion rate. It returns nil,
// or the error the OTLP receiver answers: over the rate, ResourceExhausted
// with RetryInfo (gRPC) / 429 with Retry-After (HTTP), retryable; a batch
// larger than the burst, InvalidArgument / 400, permanent (it could never
// pass). Nothing is stored either way.
func (e *storeExporter) admit(tenant string, sig overrides.Signal, n int) error {
	err := e.limiter.Allow(tenant, sig, n)
	var rl *overrides.RateLimitedError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rl):
		return throttled(err, rl)
	default:
		return invalid(err)
	}
}

// throttled is a rate-limit refusal: gRPC ResourceExhausted with the retry
// delay in RetryInfo, which the OTLP/HTTP receiver answers as 429 with
// Retry-After in whole seconds (otlpreceiver's writeStatusResponse).
func throttled(err error, rl *overrides.RateLimitedError) error {
	st, derr := status.New(codes.ResourceExhausted, err.Error()).WithDetails(
		&errdetails.RetryInfo{RetryDelay: durationpb.New(rl.RetryAfter)})
	if derr != nil {
		return status.Error(codes.ResourceExhausted, err.Error())
	}
	return &statusError{st: st, err: err}
}

// limitsFor is the ingest limits with tenant's max_attributes applied: the
// lower of it and ingest::max_attributes.
func (e *storeExporter) limitsFor(tenant string) limits.Limits {
	lim := e.limits
	if m := e.limiter.Limits(tenant).MaxAttributes; m > 0 && (lim.MaxAttributes == 0 || m < lim.MaxAttributes) {
		lim.MaxAttributes = m
	}
	return lim
}
