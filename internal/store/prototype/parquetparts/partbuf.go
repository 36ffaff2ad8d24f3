package parquetparts

import (
	"encoding/binary"
	"errors"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A part's rows are buffered encoded, not as Go structs: InsertTraces
// encodes each request into one contiguous byte record stream (a batch)
// in the caller's goroutine, and the part keeps the batches in large
// pointer-free chunks plus a compact sort index (rowRef, 40 B per row).
// Only when the part is written are rows decoded, one row group at a
// time, into a reused []SpanRow whose strings point into the chunks (no
// copy). So a buffered span costs its encoded size (≈ 250–400 B with
// bench/ingest's data) instead of ≈ 460 B of struct plus one allocation
// per attribute list, and the garbage collector neither scans it nor
// doubles it as heap headroom.
//
// Batch encoding (all integers uvarint, strings and IDs length-prefixed;
// an all-zero ID is stored empty):
//
//	resource block: ServiceName, ResourceSchemaUrl, ResourceDroppedAttrCount, ResourceAttributes
//	scope block:    ScopeName, ScopeVersion, ScopeSchemaUrl, ScopeDroppedAttrCount, ScopeAttributes
//	span record:    back-distance to its resource block, back-distance to its scope block,
//	                Timestamp, TraceId, SpanId, ParentSpanId, TraceState, SpanName, Kind,
//	                StatusCode, StatusMessage, Duration, TraceFlags, DroppedAttributesCount,
//	                DroppedEventsCount, DroppedLinksCount, SpanAttributes,
//	                events (n, then Timestamp, Name, DroppedAttributesCount, Attributes each),
//	                links (n, then TraceId, SpanId, TraceState, DroppedAttributesCount, Flags, Attributes each)
//	attributes:     n, then key, value (value as AsString(), first of duplicate keys kept)
//
// Back-distances make a batch position-independent, so it is encoded
// without the store's lock and copied into the part as one block.

// rowRef is a buffered row in the part's sort index.
type rowRef struct {
	tid   [16]byte
	ts    int64
	chunk uint32
	off   uint32
	svc   uint32 // index into partBuf.svcNames
}

// chunkBytes is the size of a part's arena chunks; a larger batch gets a
// chunk of its own.
const chunkBytes = 4 << 20

// partBuf is an in-memory part.
type partBuf struct {
	chunks   [][]byte
	rows     []rowRef
	svcIDs   map[string]uint32
	svcNames []string
	bytes    int // encoded bytes in use
}

func newPartBuf(rows int) *partBuf {
	return &partBuf{rows: make([]rowRef, 0, rows), svcIDs: map[string]uint32{}}
}

// add copies a batch into the part.
func (p *partBuf) add(b *encBatch) error {
	n := len(b.buf)
	if n == 0 {
		return nil
	}
	last := len(p.chunks) - 1
	if last < 0 || cap(p.chunks[last])-len(p.chunks[last]) < n {
		c, err := allocChunk(max(chunkBytes, n))
		if err != nil {
			return err
		}
		p.chunks = append(p.chunks, c)
		last++
	}
	base := len(p.chunks[last])
	p.chunks[last] = append(p.chunks[last], b.buf...)
	p.bytes += n
	for i := range b.rows {
		r := b.rows[i].ref
		id, ok := p.svcIDs[b.rows[i].svc]
		if !ok {
			id = uint32(len(p.svcNames))
			name := string([]byte(b.rows[i].svc)) // own copy: the batch's string points into pdata
			p.svcIDs[name] = id
			p.svcNames = append(p.svcNames, name)
		}
		r.svc, r.chunk, r.off = id, uint32(last), uint32(base)+r.off
		p.rows = append(p.rows, r)
	}
	return nil
}

// free releases the part's chunks. Nothing decoded from them (the
// strings and IDs of the rows given to the Parquet writer) may be used
// afterwards.
func (p *partBuf) free() error {
	var errs []error
	for _, c := range p.chunks {
		if err := freeChunk(c); err != nil {
			errs = append(errs, err)
		}
	}
	p.chunks, p.rows = nil, nil
	return errors.Join(errs...)
}

// encBatch is one request encoded, before it joins a part.
type encBatch struct {
	buf  []byte
	rows []batchRow
	keys []string // scratch: the keys of the attribute list being encoded
}

type batchRow struct {
	ref rowRef
	svc string
}

func (b *encBatch) uvarint(v uint64) { b.buf = binary.AppendUvarint(b.buf, v) }

func (b *encBatch) str(s string) {
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

func (b *encBatch) attrs(m pcommon.Map) {
	b.keys = b.keys[:0]
	for k := range m.All() {
		dup := false
		for _, seen := range b.keys {
			if seen == k {
				dup = true
				break
			}
		}
		if !dup {
			b.keys = append(b.keys, k)
		}
	}
	b.uvarint(uint64(len(b.keys)))
	n := 0
	for k, v := range m.All() {
		if n == len(b.keys) || b.keys[n] != k {
			continue // a duplicate key
		}
		n++
		b.str(k)
		switch v.Type() {
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
}

// encode appends td's rows to b, in td's order.
func (b *encBatch) encode(td ptrace.Traces) {
	for _, rs := range td.ResourceSpans().All() {
		res := rs.Resource()
		svc := ""
		if v, ok := res.Attributes().Get("service.name"); ok {
			svc = v.AsString()
		}
		resAt := len(b.buf)
		b.str(svc)
		b.str(rs.SchemaUrl())
		b.uvarint(uint64(res.DroppedAttributesCount()))
		b.attrs(res.Attributes())
		for _, ss := range rs.ScopeSpans().All() {
			sc := ss.Scope()
			scAt := len(b.buf)
			b.str(sc.Name())
			b.str(sc.Version())
			b.str(ss.SchemaUrl())
			b.uvarint(uint64(sc.DroppedAttributesCount()))
			b.attrs(sc.Attributes())
			for _, sp := range ss.Spans().All() {
				at := len(b.buf)
				start, end := nanos(sp.StartTimestamp()), nanos(sp.EndTimestamp())
				tid, sid, pid := sp.TraceID(), sp.SpanID(), sp.ParentSpanID()
				b.rows = append(b.rows, batchRow{ref: rowRef{tid: tid, ts: start, off: uint32(at)}, svc: svc})
				b.uvarint(uint64(at - resAt))
				b.uvarint(uint64(at - scAt))
				b.uvarint(uint64(start))
				b.id(tid[:])
				b.id(sid[:])
				b.id(pid[:])
				b.str(sp.TraceState().AsRaw())
				b.str(sp.Name())
				b.uvarint(uint64(sp.Kind()))
				b.uvarint(uint64(sp.Status().Code()))
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

func nanos(t pcommon.Timestamp) int64 {
	if uint64(t) > 1<<63-3 {
		return 1<<63 - 3
	}
	return int64(t)
}
