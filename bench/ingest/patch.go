package main

import (
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Every export request is generated and encoded once, up front (a
// template). Sending the same bytes twice would store duplicate trace IDs
// and timestamps from the past, which would make the trace-by-ID check
// meaningless and the data unrealistically repetitive, while re-generating
// and re-encoding each batch would cost the load generator as much CPU as a
// good part of the server's. So each send copies the template's bytes and
// patches, in place, the fields that must differ between sends:
//
//   - trace IDs (16 bytes) are XORed with a 16-byte mask derived from the
//     send's sequence number: IDs stay random-looking, spans of one trace
//     keep sharing their ID, and two sends of a template never collide;
//   - span IDs and parent span IDs (8 bytes) are XORed with an 8-byte mask,
//     so parent links stay intact;
//   - timestamps (fixed64 nanoseconds) are shifted so that the newest one
//     of the batch is the send time: data arrives in time order, as from
//     live exporters.
//
// All three are fixed-width on the wire, so patching never moves a byte.
// The offsets are found once per template by walking the encoded request
// with protowire (patchSites).

// patchSites are the byte offsets, in one encoded request, of the fields
// patched per send.
type patchSites struct {
	traceIDs []int // start of a 16-byte trace ID
	spanIDs  []int // start of an 8-byte span or parent span ID
	times    []int // start of a fixed64 unix-nanosecond timestamp
}

// masks are the per-send values applied to a template.
type masks struct {
	trace [16]byte
	span  [8]byte
}

// splitmix64 is a bijective mixer: distinct inputs give distinct,
// random-looking outputs.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// masksFor derives the masks of send seq in a run salted with salt. The
// first 8 bytes of the trace mask are a bijection of seq (for a given
// salt), so masked IDs of two different sends of one template differ.
func masksFor(salt, seq uint64) masks {
	var m masks
	binary.BigEndian.PutUint64(m.trace[:8], splitmix64(salt^seq))
	binary.BigEndian.PutUint64(m.trace[8:], splitmix64(salt^seq^0x5bd1e995))
	binary.BigEndian.PutUint64(m.span[:], splitmix64(salt^seq^0xc2b2ae3d27d4eb4f))
	return m
}

// maskTraceID returns the trace ID a template's id becomes under m.
func maskTraceID(id [16]byte, m masks) [16]byte {
	for i := range id {
		id[i] ^= m.trace[i]
	}
	return id
}

// apply patches buf, a copy of the template the sites were found in.
func (p *patchSites) apply(buf []byte, m masks, shift int64) {
	for _, off := range p.traceIDs {
		b := buf[off : off+16]
		for i := range b {
			b[i] ^= m.trace[i]
		}
	}
	for _, off := range p.spanIDs {
		b := buf[off : off+8]
		for i := range b {
			b[i] ^= m.span[i]
		}
	}
	for _, off := range p.times {
		b := buf[off : off+8]
		binary.LittleEndian.PutUint64(b, uint64(int64(binary.LittleEndian.Uint64(b))+shift))
	}
}

// fieldKind says what to do with one field of a message while walking.
type fieldKind int

const (
	skip      fieldKind = iota
	submsg              // a sub-message: walk it with sub
	traceIDF            // bytes, 16 long: a trace ID
	spanIDF             // bytes, 8 long: a span ID
	timestamp           // fixed64 nanoseconds
)

// wireSchema describes, per field number, the fields of one message kind that
// matter for patching; everything else is skipped.
type wireSchema map[protowire.Number]struct {
	kind fieldKind
	sub  wireSchema
}

// OTLP wire schemas, reduced to what is patched. Field numbers are those of
// opentelemetry-proto's trace/v1, logs/v1 and collector/*/v1 messages.
func traceRequestSchema() wireSchema {
	event := wireSchema{1: {kind: timestamp}} // Span.Event.time_unix_nano
	link := wireSchema{1: {kind: traceIDF}, 2: {kind: spanIDF}}
	span := wireSchema{
		1:  {kind: traceIDF},           // trace_id
		2:  {kind: spanIDF},            // span_id
		4:  {kind: spanIDF},            // parent_span_id
		7:  {kind: timestamp},          // start_time_unix_nano
		8:  {kind: timestamp},          // end_time_unix_nano
		11: {kind: submsg, sub: event}, // events
		13: {kind: submsg, sub: link},  // links
	}
	scopeSpans := wireSchema{2: {kind: submsg, sub: span}}
	resourceSpans := wireSchema{2: {kind: submsg, sub: scopeSpans}}
	return wireSchema{1: {kind: submsg, sub: resourceSpans}}
}

func logsRequestSchema() wireSchema {
	record := wireSchema{
		1:  {kind: timestamp}, // time_unix_nano
		11: {kind: timestamp}, // observed_time_unix_nano
		9:  {kind: traceIDF},  // trace_id
		10: {kind: spanIDF},   // span_id
	}
	scopeLogs := wireSchema{2: {kind: submsg, sub: record}}
	resourceLogs := wireSchema{2: {kind: submsg, sub: scopeLogs}}
	return wireSchema{1: {kind: submsg, sub: resourceLogs}}
}

// findPatchSites walks an encoded request and records the offsets of the
// fields to patch. IDs of another length (absent or malformed) are left
// alone.
func findPatchSites(b []byte, s wireSchema) (patchSites, error) {
	var p patchSites
	if err := walk(b, 0, s, &p); err != nil {
		return patchSites{}, err
	}
	return p, nil
}

func walk(b []byte, base int, s wireSchema, p *patchSites) error {
	for pos := 0; pos < len(b); {
		num, typ, n := protowire.ConsumeTag(b[pos:])
		if n < 0 {
			return fmt.Errorf("offset %d: bad tag: %w", base+pos, protowire.ParseError(n))
		}
		pos += n
		f, known := s[num]
		switch {
		case known && f.kind == timestamp && typ == protowire.Fixed64Type:
			p.times = append(p.times, base+pos)
		case known && typ == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b[pos:])
			if n < 0 {
				return fmt.Errorf("offset %d: bad field %d: %w", base+pos, num, protowire.ParseError(n))
			}
			start := base + pos + n - len(v)
			switch {
			case f.kind == submsg:
				if err := walk(v, start, f.sub, p); err != nil {
					return err
				}
			case f.kind == traceIDF && len(v) == 16:
				p.traceIDs = append(p.traceIDs, start)
			case f.kind == spanIDF && len(v) == 8:
				p.spanIDs = append(p.spanIDs, start)
			}
			pos += n
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, b[pos:])
		if n < 0 {
			return fmt.Errorf("offset %d: bad field %d: %w", base+pos, num, protowire.ParseError(n))
		}
		pos += n
	}
	return nil
}
