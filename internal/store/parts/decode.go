package parts

import (
	"encoding/binary"
	"errors"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// decoder turns buffered rows back into SpanRows or LogRows for the
// Parquet writer, one row group at a time. The rows' strings and IDs
// point into the part's chunks (no copy): they are valid while the
// partBuf is, and the writer copies them into its column buffers. The
// string and struct slabs are reused across row groups.
//
// Every read is bounds-checked: a row that does not decode (only a
// corrupt WAL record can hold one) is an error, never a panic.
type decoder struct {
	p      *partBuf
	kind   Kind
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

var errCorrupt = errors.New("corrupt row encoding")

func newDecoder(p *partBuf, kind Kind) *decoder {
	return &decoder{p: p, kind: kind, res: map[uint64]resBlock{}, scopes: map[uint64]scopeBlock{}}
}

// reset makes the slabs reusable: call it once the rows of the previous
// row group are written.
func (d *decoder) reset() {
	d.strs, d.events, d.links = d.strs[:0], d.events[:0], d.links[:0]
}

// cursor reads one chunk from off; bad is set by the first read past
// its end (reads return zero values from then on).
type cursor struct {
	b   []byte
	off int
	bad bool
}

func (c *cursor) uvarint() uint64 {
	if c.bad || c.off >= len(c.b) {
		c.bad = true
		return 0
	}
	v, n := binary.Uvarint(c.b[c.off:])
	if n <= 0 {
		c.bad = true
		return 0
	}
	c.off += n
	return v
}

func (c *cursor) u32() uint32 {
	v := c.uvarint()
	if v > 1<<32-1 {
		c.bad = true
	}
	return uint32(v)
}

func (c *cursor) str() string {
	n := c.uvarint()
	if c.bad || n == 0 {
		return ""
	}
	if n > uint64(len(c.b)-c.off) {
		c.bad = true
		return ""
	}
	s := unsafe.String(&c.b[c.off], int(n))
	c.off += int(n)
	return s
}

func (c *cursor) id() []byte {
	if c.bad || c.off >= len(c.b) {
		c.bad = true
		return nil
	}
	n := int(c.b[c.off])
	c.off++
	if n == 0 {
		return nil
	}
	if n > 16 || n > len(c.b)-c.off {
		c.bad = true
		return nil
	}
	v := c.b[c.off : c.off+n : c.off+n]
	c.off += n
	return v
}

// count reads a list length, bounded by the bytes left (each entry takes
// at least one byte), so that a corrupt length cannot allocate much.
func (c *cursor) count() int {
	n := c.uvarint()
	if n > uint64(len(c.b)-c.off) {
		c.bad = true
		return 0
	}
	return int(n)
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
	n := c.count()
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

func (d *decoder) resource(chunk, off int) (resBlock, error) {
	key := uint64(chunk)<<32 | uint64(off)
	if r, ok := d.res[key]; ok {
		return r, nil
	}
	if off < 0 || off >= len(d.p.chunks[chunk]) {
		return resBlock{}, errCorrupt
	}
	c := cursor{b: d.p.chunks[chunk], off: off}
	r := resBlock{svc: c.str(), url: c.str(), dropped: c.u32()}
	r.attrs = d.kv(&c, true)
	if c.bad {
		return resBlock{}, errCorrupt
	}
	d.res[key] = r
	return r, nil
}

func (d *decoder) scope(chunk, off int) (scopeBlock, error) {
	key := uint64(chunk)<<32 | uint64(off)
	if s, ok := d.scopes[key]; ok {
		return s, nil
	}
	if off < 0 || off >= len(d.p.chunks[chunk]) {
		return scopeBlock{}, errCorrupt
	}
	c := cursor{b: d.p.chunks[chunk], off: off}
	s := scopeBlock{name: c.str(), version: c.str(), url: c.str(), dropped: c.u32()}
	s.attrs = d.kv(&c, true)
	if c.bad {
		return scopeBlock{}, errCorrupt
	}
	d.scopes[key] = s
	return s, nil
}

// head decodes the common prefix of a row.
func (d *decoder) head(ref rowRef) (c cursor, res resBlock, sc scopeBlock, ts int64, tid []byte, err error) {
	chunk, at := int(ref.chunk), int(ref.off)
	if chunk >= len(d.p.chunks) || at >= len(d.p.chunks[chunk]) {
		return c, res, sc, 0, nil, errCorrupt
	}
	c = cursor{b: d.p.chunks[chunk], off: at}
	rd, sd := c.uvarint(), c.uvarint()
	if c.bad || rd > uint64(at) || sd > uint64(at) || rd == 0 || sd == 0 {
		return c, res, sc, 0, nil, errCorrupt
	}
	if res, err = d.resource(chunk, at-int(rd)); err != nil {
		return
	}
	if sc, err = d.scope(chunk, at-int(sd)); err != nil {
		return
	}
	ts = int64(c.uvarint())
	tid = c.id()
	return c, res, sc, ts, tid, nil
}

// span decodes the span ref points to into r.
func (d *decoder) span(ref rowRef, r *SpanRow) error {
	c, res, sc, ts, tid, err := d.head(ref)
	if err != nil {
		return err
	}
	*r = SpanRow{
		Timestamp:                ts,
		TraceId:                  tid,
		SpanId:                   c.id(),
		ParentSpanId:             c.id(),
		TraceState:               c.str(),
		SpanName:                 c.str(),
		SpanKind:                 ptrace.SpanKind(int32(c.uvarint())).String(),
		StatusCode:               ptrace.StatusCode(int32(c.uvarint())).String(),
		StatusMessage:            c.str(),
		Duration:                 c.uvarint(),
		TraceFlags:               c.u32(),
		DroppedAttributesCount:   c.u32(),
		DroppedEventsCount:       c.u32(),
		DroppedLinksCount:        c.u32(),
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
	if n := c.count(); n > 0 {
		if len(d.events)+n > cap(d.events) {
			d.events = make([]Event, 0, max(1024, n))
		}
		start := len(d.events)
		for range n {
			ev := Event{Timestamp: int64(c.uvarint()), Name: c.str(), DroppedAttributesCount: c.u32()}
			ev.Attributes = d.kv(&c, false)
			d.events = append(d.events, ev)
		}
		r.Events = d.events[start:len(d.events):len(d.events)]
	}
	if n := c.count(); n > 0 {
		if len(d.links)+n > cap(d.links) {
			d.links = make([]Link, 0, max(1024, n))
		}
		start := len(d.links)
		for range n {
			l := Link{TraceId: c.id(), SpanId: c.id(), TraceState: c.str(),
				DroppedAttributesCount: c.u32(), Flags: c.u32()}
			l.Attributes = d.kv(&c, false)
			d.links = append(d.links, l)
		}
		r.Links = d.links[start:len(d.links):len(d.links)]
	}
	if c.bad {
		return errCorrupt
	}
	return nil
}

// log decodes the log record ref points to into r.
func (d *decoder) log(ref rowRef, r *LogRow) error {
	c, res, sc, ts, tid, err := d.head(ref)
	if err != nil {
		return err
	}
	*r = LogRow{
		Timestamp:                ts,
		TraceId:                  tid,
		SpanId:                   c.id(),
		TraceFlags:               c.u32(),
		SeverityText:             c.str(),
		SeverityNumber:           c.u32(),
		Body:                     c.str(),
		EventName:                c.str(),
		ObservedTimestamp:        int64(c.uvarint()),
		DroppedAttributesCount:   c.u32(),
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
	r.LogAttributes = d.kv(&c, false)
	if c.bad || r.TraceFlags > 255 || r.SeverityNumber > 255 {
		return errCorrupt
	}
	return nil
}
