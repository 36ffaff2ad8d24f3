package parquetparts

import (
	"encoding/binary"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// decoder turns buffered rows back into SpanRows for the Parquet writer,
// one row group at a time. The rows' strings and IDs point into the
// part's chunks (no copy): they are valid while the partBuf is, and the
// writer copies them into its column buffers. The string and struct
// slabs are reused across row groups.
type decoder struct {
	p      *partBuf
	strs   []string
	events []Event
	links  []Link
	res    map[uint64]resBlock
	scopes map[uint64]scopeBlock
}

type resBlock struct {
	svc, url string
	dropped  uint32
	attrs    KV
}

type scopeBlock struct {
	name, version, url string
	dropped            uint32
	attrs              KV
}

func newDecoder(p *partBuf) *decoder {
	return &decoder{p: p, res: map[uint64]resBlock{}, scopes: map[uint64]scopeBlock{}}
}

// reset makes the slabs reusable: call it once the rows of the previous
// row group are written.
func (d *decoder) reset() {
	d.strs, d.events, d.links = d.strs[:0], d.events[:0], d.links[:0]
}

// cursor reads one chunk from off.
type cursor struct {
	b   []byte
	off int
}

func (c *cursor) uvarint() uint64 {
	v, n := binary.Uvarint(c.b[c.off:])
	c.off += n
	return v
}

func (c *cursor) str() string {
	n := int(c.uvarint())
	if n == 0 {
		return ""
	}
	s := unsafe.String(&c.b[c.off], n)
	c.off += n
	return s
}

func (c *cursor) id() []byte {
	n := int(c.b[c.off])
	c.off++
	if n == 0 {
		return nil
	}
	v := c.b[c.off : c.off+n : c.off+n]
	c.off += n
	return v
}

func (d *decoder) take(n int) []string {
	if len(d.strs)+n > cap(d.strs) {
		d.strs = make([]string, 0, max(1<<14, n)) // the old slab stays with the rows using it
	}
	s := d.strs[len(d.strs) : len(d.strs)+n : len(d.strs)+n]
	d.strs = d.strs[:len(d.strs)+n]
	return s
}

// kv decodes an attribute list; persistent lists (resource, scope) get
// their own slices instead of the reused slab.
func (d *decoder) kv(c *cursor, persistent bool) KV {
	n := int(c.uvarint())
	if n == 0 {
		return KV{}
	}
	var keys, vals []string
	if persistent {
		keys, vals = make([]string, n), make([]string, n)
	} else {
		keys, vals = d.take(n), d.take(n)
	}
	for i := range n {
		keys[i], vals[i] = c.str(), c.str()
	}
	return KV{Keys: keys, Values: vals}
}

func (d *decoder) resource(chunk, off int) resBlock {
	key := uint64(chunk)<<32 | uint64(off)
	if r, ok := d.res[key]; ok {
		return r
	}
	c := cursor{b: d.p.chunks[chunk], off: off}
	r := resBlock{svc: c.str(), url: c.str(), dropped: uint32(c.uvarint())}
	r.attrs = d.kv(&c, true)
	d.res[key] = r
	return r
}

func (d *decoder) scope(chunk, off int) scopeBlock {
	key := uint64(chunk)<<32 | uint64(off)
	if s, ok := d.scopes[key]; ok {
		return s
	}
	c := cursor{b: d.p.chunks[chunk], off: off}
	s := scopeBlock{name: c.str(), version: c.str(), url: c.str(), dropped: uint32(c.uvarint())}
	s.attrs = d.kv(&c, true)
	d.scopes[key] = s
	return s
}

// row decodes the row ref points to into r.
func (d *decoder) row(ref rowRef, r *SpanRow) {
	chunk, at := int(ref.chunk), int(ref.off)
	c := cursor{b: d.p.chunks[chunk], off: at}
	res := d.resource(chunk, at-int(c.uvarint()))
	sc := d.scope(chunk, at-int(c.uvarint()))
	*r = SpanRow{
		Timestamp:                int64(c.uvarint()),
		TraceId:                  c.id(),
		SpanId:                   c.id(),
		ParentSpanId:             c.id(),
		TraceState:               c.str(),
		SpanName:                 c.str(),
		SpanKind:                 ptrace.SpanKind(c.uvarint()).String(),
		StatusCode:               ptrace.StatusCode(c.uvarint()).String(),
		StatusMessage:            c.str(),
		Duration:                 c.uvarint(),
		TraceFlags:               uint32(c.uvarint()),
		DroppedAttributesCount:   uint32(c.uvarint()),
		DroppedEventsCount:       uint32(c.uvarint()),
		DroppedLinksCount:        uint32(c.uvarint()),
		ServiceName:              res.svc,
		ResourceAttributes:       res.attrs,
		ResourceSchemaUrl:        res.url,
		ResourceDroppedAttrCount: res.dropped,
		ScopeName:                sc.name,
		ScopeVersion:             sc.version,
		ScopeSchemaUrl:           sc.url,
		ScopeDroppedAttrCount:    sc.dropped,
		ScopeAttributes:          sc.attrs,
	}
	r.SpanAttributes = d.kv(&c, false)
	if n := int(c.uvarint()); n > 0 {
		if len(d.events)+n > cap(d.events) {
			d.events = make([]Event, 0, max(1024, n))
		}
		start := len(d.events)
		for range n {
			ev := Event{Timestamp: int64(c.uvarint()), Name: c.str(), DroppedAttributesCount: uint32(c.uvarint())}
			ev.Attributes = d.kv(&c, false)
			d.events = append(d.events, ev)
		}
		r.Events = d.events[start:len(d.events):len(d.events)]
	}
	if n := int(c.uvarint()); n > 0 {
		if len(d.links)+n > cap(d.links) {
			d.links = make([]Link, 0, max(1024, n))
		}
		start := len(d.links)
		for range n {
			l := Link{TraceId: c.id(), SpanId: c.id(), TraceState: c.str(),
				DroppedAttributesCount: uint32(c.uvarint()), Flags: uint32(c.uvarint())}
			l.Attributes = d.kv(&c, false)
			d.links = append(d.links, l)
		}
		r.Links = d.links[start:len(d.links):len(d.links)]
	}
}
