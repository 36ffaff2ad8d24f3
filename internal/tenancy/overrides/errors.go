package overrides

import (
	"fmt"
	"time"
)

// Retry delays sent with RateLimitedError: clients read whole seconds
// (HTTP Retry-After), so the delay is rounded up to one, and bounded so that
// a tiny rate does not park a client for minutes.
const (
	MinRetryAfter = time.Second
	MaxRetryAfter = time.Minute
)

// RateLimitedError is a batch refused because the tenant's bucket for the
// signal does not hold enough tokens now. Nothing of the batch is stored;
// the client should retry after RetryAfter (gRPC ResourceExhausted with
// RetryInfo, HTTP 429 with Retry-After).
type RateLimitedError struct {
	Tenant     string
	Signal     Signal
	Items      int
	Rate       float64
	Burst      int
	RetryAfter time.Duration
	key        string // the rate's config key
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("tenant %q is over its ingestion rate of %g %s per second (burst %d): %d %s refused, nothing stored; retry in %s, or raise %s",
		e.Tenant, e.Rate, e.Signal, e.Burst, e.Items, e.Signal, e.RetryAfter, e.key)
}

// BatchTooLargeError is a batch larger than the tenant's burst: it can never
// pass, so it is refused as the client's mistake (gRPC InvalidArgument,
// HTTP 400) instead of being retried forever.
type BatchTooLargeError struct {
	Tenant string
	Signal Signal
	Items  int
	Burst  int
	key    string // the burst's config key
}

func (e *BatchTooLargeError) Error() string {
	return fmt.Sprintf("tenant %q: a batch of %d %s can never pass its ingestion burst of %d %s, nothing stored: send smaller batches or raise %s",
		e.Tenant, e.Items, e.Signal, e.Burst, e.Signal, e.key)
}

// SeriesLimitError reports the points of new series refused because the
// tenant already has max_active_series active series. The rest of the batch
// was stored; retrying does not help until series go inactive (an hour
// without points), so it is the client's error (InvalidArgument, 400).
type SeriesLimitError struct {
	Tenant         string
	Points, Series int // refused
	Stored         int // points of the batch stored
	Max            int
	key            string
}

func (e *SeriesLimitError) Error() string {
	return fmt.Sprintf("tenant %q has reached its %d active series (series with points in the last %s): %d points of %d new series refused, %d points stored; raise %s or send fewer series",
		e.Tenant, e.Max, ActiveWindow, e.Points, e.Series, e.Stored, e.key)
}

// retryAfter bounds and rounds a wait up to whole seconds.
func retryAfter(wait time.Duration) time.Duration {
	d := ((wait + time.Second - 1) / time.Second) * time.Second
	return min(max(d, MinRetryAfter), MaxRetryAfter)
}
