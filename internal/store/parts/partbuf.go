package parts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"
)

// rowRef is a buffered row in a part's sort index (40 B per row).
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

// partBuf is an in-memory part: the head, or a cut part being written.
// Its sort index (rows) is mapped outside the Go heap like its chunks
// (rowRef holds no pointers): at max ingest the head's and the cut
// part's indexes were ≈ 6 MB of live heap, ≈ 12 MB of RSS at GOGC=100.
type partBuf struct {
	chunks   [][]byte
	rows     []rowRef // over rowsMem
	rowsMem  []byte   // the mapping of rows (allocChunk)
	rowsHint int      // the first mapping's rows
	svcIDs   map[string]uint32
	svcNames []string
	bytes    int64 // encoded bytes in use
	mapped   int64 // bytes of the chunks
	pool     *chunkPool
}

// newPartBuf returns an empty part of room for rows rows at first,
// whose chunks come from and go back to pool (nil: mapped and unmapped).
func newPartBuf(rows int, pool *chunkPool) *partBuf {
	return &partBuf{rowsHint: rows, svcIDs: map[string]uint32{}, pool: pool}
}

// rowRefBytes is the size of a rowRef in the sort index's mapping.
const rowRefBytes = int(unsafe.Sizeof(rowRef{}))

// growRows makes room in p.rows for n rows in all: a larger mapping (at
// least twice the old) the rows are copied to, the old one unmapped. A
// failure changes nothing.
func (p *partBuf) growRows(n int) error {
	if n <= cap(p.rows) {
		return nil
	}
	c := max(n, 2*cap(p.rows), p.rowsHint, 1024)
	m, err := allocChunk(c * rowRefBytes)
	if err != nil {
		return fmt.Errorf("sort index of %d rows: %w", c, err)
	}
	m = m[:cap(m)]
	rows := unsafe.Slice((*rowRef)(unsafe.Pointer(unsafe.SliceData(m))), len(m)/rowRefBytes)[:len(p.rows)]
	copy(rows, p.rows)
	if p.rowsMem != nil {
		if err := freeChunk(p.rowsMem); err != nil {
			_ = freeChunk(m)
			return err
		}
	}
	p.rows, p.rowsMem = rows, m
	return nil
}

// cost is what adding a batch of n encoded bytes and rows rows adds to
// the memory a partBuf holds (an upper bound: a new chunk may be needed).
func batchCost(n, rows int) int64 {
	return int64(n) + int64(rows)*40
}

// add copies a batch into the part.
func (p *partBuf) add(b *encBatch) error {
	n := len(b.buf)
	if n == 0 {
		return nil
	}
	if err := p.growRows(len(p.rows) + len(b.rows)); err != nil {
		return err
	}
	last := len(p.chunks) - 1
	if last < 0 || cap(p.chunks[last])-len(p.chunks[last]) < n {
		c, err := p.pool.get(n)
		if err != nil {
			return err
		}
		p.chunks = append(p.chunks, c)
		p.mapped += int64(cap(c))
		last++
	}
	base := len(p.chunks[last])
	p.chunks[last] = append(p.chunks[last], b.buf...)
	p.bytes += int64(n)
	for i := range b.rows {
		r := b.rows[i].ref
		id, ok := p.svcIDs[b.rows[i].svc]
		if !ok {
			id = uint32(len(p.svcNames))
			name := string([]byte(b.rows[i].svc)) // own copy: the batch's string may point into pdata
			p.svcIDs[name] = id
			p.svcNames = append(p.svcNames, name)
		}
		r.svc, r.chunk, r.off = id, uint32(last), uint32(base)+r.off
		p.rows = append(p.rows, r)
	}
	return nil
}

// bufMark is a partBuf's state at a point of its filling (see truncate).
type bufMark struct {
	rows, chunks, svcs int
	last               int // length of the last chunk
	bytes              int64
}

// mark records p's state; truncate returns p to it. A nil p's mark is
// the empty state.
func (p *partBuf) mark() bufMark {
	if p == nil {
		return bufMark{}
	}
	m := bufMark{rows: len(p.rows), chunks: len(p.chunks), svcs: len(p.svcNames), bytes: p.bytes}
	if m.chunks > 0 {
		m.last = len(p.chunks[m.chunks-1])
	}
	return m
}

// truncate drops every row added after m was taken (chunks taken since
// are given back).
func (p *partBuf) truncate(m bufMark) error {
	var errs []error
	for _, c := range p.chunks[m.chunks:] {
		p.mapped -= int64(cap(c))
		if err := p.pool.put(c); err != nil {
			errs = append(errs, err)
		}
	}
	p.chunks = p.chunks[:m.chunks]
	if m.chunks > 0 {
		p.chunks[m.chunks-1] = p.chunks[m.chunks-1][:m.last]
	}
	for _, name := range p.svcNames[m.svcs:] {
		delete(p.svcIDs, name)
	}
	p.svcNames = p.svcNames[:m.svcs]
	p.rows = p.rows[:m.rows]
	p.bytes = m.bytes
	return errors.Join(errs...)
}

// memBytes is the memory p holds: its encoded bytes and sort index.
func (p *partBuf) memBytes() int64 { return p.bytes + int64(len(p.rows))*40 }

// free releases the part's chunks (back to its pool). Nothing decoded
// from them may be used afterwards.
func (p *partBuf) free() error {
	var errs []error
	for _, c := range p.chunks {
		if err := p.pool.put(c); err != nil {
			errs = append(errs, err)
		}
	}
	if p.rowsMem != nil {
		if err := freeChunk(p.rowsMem); err != nil {
			errs = append(errs, err)
		}
	}
	p.chunks, p.rows, p.rowsMem = nil, nil, nil
	return errors.Join(errs...)
}

// WAL record payload (the record framing, length and CRC, is wal.go's):
//
//	version byte (1), kind byte, uvarint row count, per row the uvarint
//	offset of its record in the batch, then the batch bytes.
//
// Replay rebuilds the batch's sort index from the offsets (rowHead's
// prefix holds Timestamp and TraceId, the resource block ServiceName)
// and checks every row decodes, so a record the CRC passes but this code
// cannot read fails Open instead of the part writer later.
const walVersion = 1

// walRecord appends b's WAL payload to dst.
func (b *encBatch) walRecord(dst []byte, kind Kind) []byte {
	return append(b.walPrefix(dst, kind), b.buf...)
}

// walPrefix appends to dst the start of b's WAL payload, all but the
// batch bytes (b.buf) that follow it.
func (b *encBatch) walPrefix(dst []byte, kind Kind) []byte {
	dst = append(dst, walVersion, byte(kind))
	dst = binary.AppendUvarint(dst, uint64(len(b.rows)))
	for i := range b.rows {
		dst = binary.AppendUvarint(dst, uint64(b.rows[i].ref.off))
	}
	return dst
}

// fromWAL makes b the batch of WAL payload rec (b.buf aliases rec).
func (b *encBatch) fromWAL(rec []byte, kind Kind) error {
	b.reset()
	if len(rec) < 2 || rec[0] != walVersion || Kind(rec[1]) != kind {
		return fmt.Errorf("WAL record: unknown version or kind (%x)", rec[:min(2, len(rec))])
	}
	c := cursor{b: rec, off: 2}
	n := c.uvarint()
	if c.bad || n > uint64(len(rec)) {
		return errors.New("WAL record: bad row count")
	}
	offs := make([]uint64, n)
	for i := range offs {
		offs[i] = c.uvarint()
	}
	if c.bad {
		return errors.New("WAL record: bad row offsets")
	}
	b.buf = rec[c.off:]
	d := newDecoder(&partBuf{chunks: [][]byte{b.buf}}, kind)
	var sr SpanRow
	var lr LogRow
	for _, off := range offs {
		if off >= uint64(len(b.buf)) {
			return errors.New("WAL record: row offset out of range")
		}
		ref := rowRef{off: uint32(off)}
		var err error
		if kind == Traces {
			err = d.span(ref, &sr)
		} else {
			err = d.log(ref, &lr)
		}
		if err != nil {
			return fmt.Errorf("WAL record: %w", err)
		}
		d.reset()
		var tid [16]byte
		var ts int64
		var svc string
		if kind == Traces {
			copy(tid[:], sr.TraceId)
			ts, svc = sr.Timestamp, sr.ServiceName
		} else {
			copy(tid[:], lr.TraceId)
			ts, svc = lr.Timestamp, lr.ServiceName
		}
		b.rows = append(b.rows, batchRow{ref: rowRef{tid: tid, ts: ts, off: uint32(off)}, svc: svc})
	}
	return nil
}
