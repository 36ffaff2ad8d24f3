// Package otlpguard checks an OTLP export request's encoded bytes before the
// pdata decoder sees them. The decoder recurses once per AnyValue nesting
// level (arrayValue/kvlistValue), so a small request nested a million levels
// deep overflows the goroutine stack and kills the process; and a request of
// many tiny elements decodes into far more memory than its wire size. Both
// are refused here with an error that names the limit and its config key,
// for the HTTP middleware and the gRPC codec alike.
package otlpguard

import (
	"errors"
	"fmt"
)

// Config keys of the limits, as users write them.
const (
	DepthKey = "extensions::overlook::ingest::max_nesting_depth"
	ItemsKey = "extensions::overlook::ingest::max_request_items"
)

// Limits bounds one request. A zero field disables that check.
type Limits struct {
	// MaxDepth is the deepest nesting of arrayValue/kvlistValue allowed in
	// any AnyValue (log body, attribute value). A scalar value is depth 0,
	// ["a"] is 1, [["a"]] is 2.
	MaxDepth int
	// MaxItems bounds the number of messages the request decodes into
	// (records, spans, points, attributes, values, ...).
	MaxItems int
}

// Signal names the request type to scan.
type Signal int

// The OTLP request types.
const (
	Unknown Signal = iota
	Traces
	Logs
	Metrics
)

func (s Signal) String() string {
	switch s {
	case Traces:
		return "traces"
	case Logs:
		return "logs"
	case Metrics:
		return "metrics"
	}
	return "unknown"
}

// ErrMalformed is wrapped by errors about bytes that are not a valid
// encoding; the decoder would refuse them as well.
var ErrMalformed = errors.New("malformed OTLP payload")

// LimitError is a request over one of the Limits. Its message names the
// limit, its value and the config key that raises it.
type LimitError struct {
	What  string // "nesting depth" or "items"
	Limit int
	Key   string
}

func (e *LimitError) Error() string {
	switch e.What {
	case "nesting depth":
		return fmt.Sprintf("request refused: a value is nested deeper than %d arrayValue/kvlistValue levels (%s); flatten the value or raise the limit",
			e.Limit, e.Key)
	default:
		return fmt.Sprintf("request refused: it holds more than %d elements (spans, records, points, attributes and values; %s); send smaller batches or raise the limit",
			e.Limit, e.Key)
	}
}

func depthError(l Limits) error {
	return &LimitError{What: "nesting depth", Limit: l.MaxDepth, Key: DepthKey}
}
func itemsError(l Limits) error { return &LimitError{What: "items", Limit: l.MaxItems, Key: ItemsKey} }
