package parts

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Rows are buffered encoded, not as Go structs: Insert encodes each
// request into one contiguous byte stream (a batch) in the caller's
// goroutine; the same bytes are the request's WAL record and are copied
// into the head's arena chunks (partbuf.go). Only when a part is written
// are rows decoded, one row group at a time (decode.go).
//
// Batch encoding (integers uvarint, strings and IDs length-prefixed, an
// all-zero ID stored empty; every string valid UTF-8, as the DuckDB
// store makes it):
//
//	resource block: ServiceName, ResourceSchemaUrl, ResourceDroppedAttrCount, ResourceAttributes
//	scope block:    ScopeName, ScopeVersion, ScopeSchemaUrl, ScopeDroppedAttrCount, ScopeAttributes
//	every row:      back-distance to its resource block, back-distance to its scope block,
//	                Timestamp, TraceId, then per kind:
//	span:           SpanId, ParentSpanId, TraceState, SpanName, Kind, StatusCode, StatusMessage,
//	                Duration, TraceFlags, DroppedAttributesCount, DroppedEventsCount,
//	                DroppedLinksCount, SpanAttributes,
//	                events (n, then Timestamp, Name, DroppedAttributesCount, Attributes each),
//	                links (n, then TraceId, SpanId, TraceState, DroppedAttributesCount, Flags, Attributes each)
//	log record:     SpanId, TraceFlags, SeverityText, SeverityNumber, Body, EventName,
//	                ObservedTimestamp, DroppedAttributesCount, LogAttributes
//	attributes:     n, then key, value (value as AsString(); of duplicate keys the first is kept)
//
// Back-distances make a batch position-independent, so it is encoded
// without the table's lock and copied into the head as one block.

// encBatch is one request encoded.
type encBatch struct {
	buf  []byte
	rows []batchRow
	rec  []byte          // its WAL record's header (8 bytes) and prefix (walPrefix); b.buf follows
	keys []string        // scratch: the kept keys of the attribute list being encoded
	vals []pcommon.Value // scratch: their values
	seen map[string]struct{}
}

type batchRow struct {
	ref rowRef
	svc string
}

func (b *encBatch) reset() { b.buf, b.rows = b.buf[:0], b.rows[:0] }

func (b *encBatch) uvarint(v uint64) { b.buf = binary.AppendUvarint(b.buf, v) }

func (b *encBatch) str(s string) {
	s = validUTF8(s)
	b.uvarint(uint64(len(s)))
	b.buf = append(b.buf, s...)
}

func (b *encBatch) id(v []byte) {
	for _, c := range v {
		if c != 0 {
			b.buf = append(b.buf, byte(len(v)))
			b.buf = append(b.buf, v...)
			return
		}
	}
	b.buf = append(b.buf, 0)
}

// validUTF8 is s with invalid UTF-8 replaced by U+FFFD: DuckDB VARCHARs
// must be valid UTF-8, and pdata's decoder does not check (as the DuckDB
// store's str).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// attrs encodes m as the DuckDB store flattens a map: keys made valid
// UTF-8, the first of duplicate keys kept, values AsString(). One pass
// over m collects the kept keys (checked once) and their values.
func (b *encBatch) attrs(m pcommon.Map) {
	n := m.Len()
	b.keys, b.vals = b.keys[:0], b.vals[:0]
	if n > 16 {
		if b.seen == nil {
			b.seen = map[string]struct{}{}
		}
		clear(b.seen)
	}
	for k, v := range m.All() {
		k = validUTF8(k)
		if n > 16 {
			if _, dup := b.seen[k]; dup {
				continue
			}
			b.seen[k] = struct{}{}
		} else if slices.Contains(b.keys, k) {
			continue
		}
		b.keys = append(b.keys, k)
		b.vals = append(b.vals, v)
	}
	b.uvarint(uint64(len(b.keys)))
	for i, k := range b.keys {
		b.uvarint(uint64(len(k)))
		b.buf = append(b.buf, k...)
		switch v := b.vals[i]; v.Type() {
		case pcommon.ValueTypeStr:
			b.str(v.Str())
		case pcommon.ValueTypeInt:
			var tmp [24]byte
			s := strconv.AppendInt(tmp[:0], v.Int(), 10)
			b.uvarint(uint64(len(s)))
			b.buf = append(b.buf, s...)
		default:
			b.str(v.AsString())
		}
	}
	clear(b.vals) // no request's values kept past it
}

// resource encodes a resource block and returns its offset and service name.
func (b *encBatch) resource(res pcommon.Resource, schemaURL string) (int, string) {
	at := len(b.buf)
	svc := ""
	if v, ok := res.Attributes().Get("service.name"); ok {
		svc = validUTF8(v.AsString())
	}
	b.str(svc)
	b.str(schemaURL)
	b.uvarint(uint64(res.DroppedAttributesCount()))
	b.attrs(res.Attributes())
	return at, svc
}

func (b *encBatch) scope(sc pcommon.InstrumentationScope, schemaURL string) int {
	at := len(b.buf)
	b.str(sc.Name())
	b.str(sc.Version())
	b.str(schemaURL)
	b.uvarint(uint64(sc.DroppedAttributesCount()))
	b.attrs(sc.Attributes())
	return at
}

// rowHead starts a row: the common prefix of every kind.
func (b *encBatch) rowHead(resAt, scAt int, svc string, ts int64, tid [16]byte) {
	at := len(b.buf)
	b.rows = append(b.rows, batchRow{ref: rowRef{tid: tid, ts: ts, off: uint32(at)}, svc: svc})
	b.uvarint(uint64(at - resAt))
	b.uvarint(uint64(at - scAt))
	b.uvarint(uint64(ts))
	b.id(tid[:])
}

// encodeTraces appends td's spans to b, in td's order.
func (b *encBatch) encodeTraces(td ptrace.Traces) {
	for _, rs := range td.ResourceSpans().All() {
		resAt, svc := b.resource(rs.Resource(), rs.SchemaUrl())
		for _, ss := range rs.ScopeSpans().All() {
			scAt := b.scope(ss.Scope(), ss.SchemaUrl())
			for _, sp := range ss.Spans().All() {
				start, end := nanos(sp.StartTimestamp()), nanos(sp.EndTimestamp())
				sid, pid := sp.SpanID(), sp.ParentSpanID()
				b.rowHead(resAt, scAt, svc, start, sp.TraceID())
				b.id(sid[:])
				b.id(pid[:])
				b.str(sp.TraceState().AsRaw())
				b.str(sp.Name())
				b.uvarint(uint64(int64(sp.Kind())))
				b.uvarint(uint64(int64(sp.Status().Code())))
				b.str(sp.Status().Message())
				b.uvarint(uint64(max(end-start, 0)))
				b.uvarint(uint64(sp.Flags()))
				b.uvarint(uint64(sp.DroppedAttributesCount()))
				b.uvarint(uint64(sp.DroppedEventsCount()))
				b.uvarint(uint64(sp.DroppedLinksCount()))
				b.attrs(sp.Attributes())
				b.uvarint(uint64(sp.Events().Len()))
				for _, ev := range sp.Events().All() {
					b.uvarint(uint64(nanos(ev.Timestamp())))
					b.str(ev.Name())
					b.uvarint(uint64(ev.DroppedAttributesCount()))
					b.attrs(ev.Attributes())
				}
				b.uvarint(uint64(sp.Links().Len()))
				for _, l := range sp.Links().All() {
					ltid, lsid := l.TraceID(), l.SpanID()
					b.id(ltid[:])
					b.id(lsid[:])
					b.str(l.TraceState().AsRaw())
					b.uvarint(uint64(l.DroppedAttributesCount()))
					b.uvarint(uint64(l.Flags()))
					b.attrs(l.Attributes())
				}
			}
		}
	}
}

// encodeLogs appends ld's records to b, in ld's order. Timestamp is the
// record's time, or its ObservedTimestamp when it has none (as the
// ClickHouse exporter and the DuckDB store).
func (b *encBatch) encodeLogs(ld plog.Logs) {
	for _, rl := range ld.ResourceLogs().All() {
		resAt, svc := b.resource(rl.Resource(), rl.SchemaUrl())
		for _, sl := range rl.ScopeLogs().All() {
			scAt := b.scope(sl.Scope(), sl.SchemaUrl())
			for _, lr := range sl.LogRecords().All() {
				t := lr.Timestamp()
				if t == 0 {
					t = lr.ObservedTimestamp()
				}
				sid := lr.SpanID()
				b.rowHead(resAt, scAt, svc, nanos(t), lr.TraceID())
				b.id(sid[:])
				b.uvarint(uint64(uint8(lr.Flags())))
				b.str(lr.SeverityText())
				b.uvarint(uint64(uint8(lr.SeverityNumber())))
				b.str(lr.Body().AsString())
				b.str(lr.EventName())
				b.uvarint(uint64(nanos(lr.ObservedTimestamp())))
				b.uvarint(uint64(lr.DroppedAttributesCount()))
				b.attrs(lr.Attributes())
			}
		}
	}
}

// maxNanos is the largest instant stored (as the DuckDB store: DuckDB
// reserves int64 max as 'infinity').
const maxNanos = 1<<63 - 3

// nanos converts an OTLP timestamp to the stored int64, clamping values
// beyond year 2262.
func nanos(t pcommon.Timestamp) int64 {
	if uint64(t) > maxNanos {
		return maxNanos
	}
	return int64(t)
}
