package overlookext

import (
	"errors"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/budget"
	"github.com/overlook-dev/overlook/internal/ingest/limits"
	"github.com/overlook-dev/overlook/internal/ingest/otlpguard"
)

// IngestConfig bounds what one OTLP request may hold
// (extensions::overlook::ingest). docs/limits.md explains each default.
type IngestConfig struct {
	// MaxNestingDepth is the deepest arrayValue/kvlistValue nesting of a
	// value (log body, attribute); deeper requests get 400 /
	// InvalidArgument before they are decoded. Default 64, at most 10000.
	MaxNestingDepth int `mapstructure:"max_nesting_depth"`
	// MaxRequestItems bounds the elements (records, spans, points,
	// attributes, values) one request decodes into; larger requests get
	// 400 / InvalidArgument. Default 1,000,000; 0 = no limit.
	MaxRequestItems int `mapstructure:"max_request_items"`
	// MaxAttributes keeps the first N attributes of each attribute map
	// (resource, scope, span, event, link, log record) and counts the rest
	// in DroppedAttributesCount. Default 128 (the OTel SDKs'); 0 = no limit.
	MaxAttributes int `mapstructure:"max_attributes"`
	// MaxAttributeValueLength truncates string (and bytes) attribute
	// values to this many bytes. Default 65536; 0 = no limit.
	MaxAttributeValueLength int `mapstructure:"max_attribute_value_length"`
	// MaxSpanNameLength truncates span and event names. Default 4096.
	MaxSpanNameLength int `mapstructure:"max_span_name_length"`
	// MaxLogBodyLength truncates string log bodies (and strings inside
	// structured bodies). Default 262144 (256 KiB).
	MaxLogBodyLength int `mapstructure:"max_log_body_length"`
	// MaxEvents and MaxLinks keep the first N events and links of a span
	// and count the rest in DroppedEventsCount / DroppedLinksCount.
	// Default 128 each (the OTel SDKs').
	MaxEvents int `mapstructure:"max_events"`
	MaxLinks  int `mapstructure:"max_links"`
	// MaxInflightBytes (e.g. "64MiB") bounds, across every push receiver
	// of the process (OTLP/gRPC, OTLP/HTTP, Prometheus remote write), the
	// weight of the requests being decoded or waiting for their answer:
	// 4× each uncompressed body (internal/ingest/inflight). A request
	// that does not fit is refused retryably before it is decoded (gRPC
	// UNAVAILABLE, HTTP 503 with Retry-After). "0" turns the bound off.
	// Default: a tenth of the memory budget (internal/budget), else
	// 256 MiB.
	MaxInflightBytes string `mapstructure:"max_inflight_bytes"`
}

// DefaultInflightBytes is ingest::max_inflight_bytes without a memory
// budget.
const DefaultInflightBytes = 256 << 20

// maxInflightBytes is MaxInflightBytes in bytes (0: no bound).
func (c IngestConfig) maxInflightBytes() (int64, error) {
	if strings.TrimSpace(c.MaxInflightBytes) == "" {
		return DefaultInflightBytes, nil
	}
	n, err := budget.ParseBytes(c.MaxInflightBytes)
	if err != nil {
		return 0, fmt.Errorf("ingest::max_inflight_bytes: %w", err)
	}
	return n, nil
}

func defaultIngestConfig() IngestConfig {
	return IngestConfig{
		MaxNestingDepth:         64,
		MaxRequestItems:         1_000_000,
		MaxAttributes:           128,
		MaxAttributeValueLength: 64 << 10,
		MaxSpanNameLength:       4096,
		MaxLogBodyLength:        256 << 10,
		MaxEvents:               128,
		MaxLinks:                128,
	}
}

// Validate says which key is wrong and how to fix it.
func (c IngestConfig) Validate() error {
	var errs []error
	if c.MaxNestingDepth < 1 || c.MaxNestingDepth > 10_000 {
		errs = append(errs, fmt.Errorf("ingest::max_nesting_depth is %d: use 1 to 10000 (default 64); deeper values crash the decoder", c.MaxNestingDepth))
	}
	for key, v := range map[string]int{
		"max_request_items": c.MaxRequestItems, "max_attributes": c.MaxAttributes,
		"max_attribute_value_length": c.MaxAttributeValueLength, "max_span_name_length": c.MaxSpanNameLength,
		"max_log_body_length": c.MaxLogBodyLength, "max_events": c.MaxEvents, "max_links": c.MaxLinks,
	} {
		if v < 0 {
			errs = append(errs, fmt.Errorf("ingest::%s is negative (%d): use 0 for no limit or a positive number", key, v))
		}
	}
	if _, err := c.maxInflightBytes(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

// guardLimits are the limits checked on the encoded request.
func (c IngestConfig) guardLimits() otlpguard.Limits {
	return otlpguard.Limits{MaxDepth: c.MaxNestingDepth, MaxItems: c.MaxRequestItems}
}

// limits are the limits applied to decoded data before it is stored.
func (c IngestConfig) limits() limits.Limits {
	return limits.Limits{
		MaxAttributes:           c.MaxAttributes,
		MaxAttributeValueLength: c.MaxAttributeValueLength,
		MaxSpanNameLength:       c.MaxSpanNameLength,
		MaxLogBodyLength:        c.MaxLogBodyLength,
		MaxEvents:               c.MaxEvents,
		MaxLinks:                c.MaxLinks,
	}
}

// IngestLimiter is implemented by the extension; the store exporters
// type-assert it to apply extensions::overlook::ingest before storing.
type IngestLimiter interface {
	IngestLimits() limits.Limits
}

// IngestLimits implements IngestLimiter.
func (e *Extension) IngestLimits() limits.Limits { return e.cfg.Ingest.limits() }
