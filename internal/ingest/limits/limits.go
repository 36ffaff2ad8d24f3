// Package limits applies OpenTelemetry-style attribute limits to decoded
// OTLP data before it is stored, whatever the backend: attribute counts per
// map, value lengths, span names, log bodies, event and link counts.
// Truncation is deterministic: the first N attributes, events and links are
// kept in the order the client sent them, strings are cut at the last whole
// UTF-8 character within the limit, and what is dropped is counted in the
// record's Dropped*Count fields as the OTel SDKs do.
//
// It also refuses timestamps the store cannot hold (after 2262-04-11, where
// signed 64-bit nanoseconds end) instead of letting them be clamped.
package limits

import (
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Limits are the caps; a zero field means no limit.
type Limits struct {
	MaxAttributes           int // per attribute map
	MaxAttributeValueLength int // bytes of a string or bytes attribute value
	MaxSpanNameLength       int // bytes of a span or event name
	MaxLogBodyLength        int // bytes of a string log body (and strings inside a structured body)
	MaxEvents               int // per span
	MaxLinks                int // per span
}

// Stats counts what one call changed.
type Stats struct {
	Attributes int // attributes dropped over MaxAttributes
	Values     int // attribute values truncated
	Names      int // span and event names truncated
	Bodies     int // log bodies truncated
	Events     int // span events dropped
	Links      int // span links dropped
}

// Each calls f for every non-zero count, with its metric label.
func (s Stats) Each(f func(what string, n int)) {
	for _, c := range []struct {
		what string
		n    int
	}{
		{"attributes", s.Attributes}, {"attribute_value", s.Values}, {"name", s.Names},
		{"body", s.Bodies}, {"events", s.Events}, {"links", s.Links},
	} {
		if c.n > 0 {
			f(c.what, c.n)
		}
	}
}

// MaxTimestamp is the latest instant the store holds, in nanoseconds since
// the Unix epoch (2262-04-11T23:47:16.854775805Z).
const MaxTimestamp = math.MaxInt64 - 2

// TimestampError is a timestamp past MaxTimestamp. It is the client's
// mistake: the request is refused with 400 / InvalidArgument.
type TimestampError struct {
	Field string // e.g. resourceSpans[0].scopeSpans[0].spans[2].endTimeUnixNano
	Value uint64
}

func (e *TimestampError) Error() string {
	return fmt.Sprintf("%s is %d ns, after %s, the latest time overlook can store (signed 64-bit nanoseconds since 1970); send nanoseconds since the Unix epoch",
		e.Field, e.Value, time.Unix(0, MaxTimestamp).UTC().Format(time.RFC3339))
}

func checkTime(t pcommon.Timestamp, field func() string) error {
	if uint64(t) > MaxTimestamp {
		return &TimestampError{Field: field(), Value: uint64(t)}
	}
	return nil
}

// attributes applies MaxAttributes and MaxAttributeValueLength to m and
// returns how many attributes it dropped.
func (l Limits) attributes(m pcommon.Map, st *Stats) uint32 {
	dropped := 0
	if l.MaxAttributes > 0 && m.Len() > l.MaxAttributes {
		dropped = m.Len() - l.MaxAttributes
		i := 0
		m.RemoveIf(func(string, pcommon.Value) bool {
			i++
			return i > l.MaxAttributes
		})
		st.Attributes += dropped
	}
	if l.MaxAttributeValueLength > 0 {
		for _, v := range m.All() {
			if truncateValue(v, l.MaxAttributeValueLength) {
				st.Values++
			}
		}
	}
	return uint32(min(dropped, math.MaxUint32))
}

// attributesWithin reports whether attributes would leave m unchanged.
func (l Limits) attributesWithin(m pcommon.Map) bool {
	if l.MaxAttributes > 0 && m.Len() > l.MaxAttributes {
		return false
	}
	if l.MaxAttributeValueLength > 0 {
		for _, v := range m.All() {
			if valueOver(v, l.MaxAttributeValueLength) {
				return false
			}
		}
	}
	return true
}

// valueOver reports whether truncateValue would change v.
func valueOver(v pcommon.Value, max int) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return len(v.Str()) > max
	case pcommon.ValueTypeBytes:
		return v.Bytes().Len() > max
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		for i := range s.Len() {
			if valueOver(s.At(i), max) {
				return true
			}
		}
	case pcommon.ValueTypeMap:
		for _, e := range v.Map().All() {
			if valueOver(e, max) {
				return true
			}
		}
	}
	return false
}

// addDropped adds n to a Dropped*Count without wrapping around.
func addDropped(cur, n uint32) uint32 {
	if cur > math.MaxUint32-n {
		return math.MaxUint32
	}
	return cur + n
}

// truncateValue cuts every string and bytes value in v (recursively in
// arrays and maps) to max bytes, and reports whether it changed anything.
func truncateValue(v pcommon.Value, max int) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if s := v.Str(); len(s) > max {
			v.SetStr(TruncateString(s, max))
			return true
		}
	case pcommon.ValueTypeBytes:
		if b := v.Bytes(); b.Len() > max {
			b.FromRaw(b.AsRaw()[:max])
			return true
		}
	case pcommon.ValueTypeSlice:
		changed := false
		s := v.Slice()
		for i := range s.Len() {
			changed = truncateValue(s.At(i), max) || changed
		}
		return changed
	case pcommon.ValueTypeMap:
		changed := false
		for _, e := range v.Map().All() {
			changed = truncateValue(e, max) || changed
		}
		return changed
	}
	return false
}

// TruncateString returns s cut to at most max bytes, at a UTF-8 character
// boundary.
func TruncateString(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && i > max-utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

// truncName cuts a name to MaxSpanNameLength and reports whether it did.
func (l Limits) truncName(s string) (string, bool) {
	if l.MaxSpanNameLength > 0 && len(s) > l.MaxSpanNameLength {
		return TruncateString(s, l.MaxSpanNameLength), true
	}
	return s, false
}
