package parts

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// The column side of the direct trace reader (trace_direct.go): the
// values of a few rows of one column chunk, read from the part file's
// bytes. A page is located through the offset index and read with one
// ReadAt into a reused buffer; its values are decompressed (zstd) into
// another only as far as they are read (direct_lazy.go); its levels are
// walked by runs to the wanted rows, whose levels and values alone are
// decoded and copied out. A dictionary column's dictionary page is not
// decoded: the wanted indexes are resolved by walking the plain lengths
// once, up to the last wanted one. It reads the
// pages overlook writes (v2 data pages; PLAIN, DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY or RLE_DICTIONARY values; uncompressed or
// zstd) and fails with errMalformed on anything else.

// leafKind is a leaf column's physical type as the direct reader reads it.
type leafKind uint8

const (
	kindInt32 leafKind = iota + 1
	kindInt64
	kindBytes
)

// colSpec describes one leaf column.
type colSpec struct {
	col    int // leaf column index
	kind   leafKind
	maxRep uint8
	maxDef uint8
}

// colData holds the wanted rows of one column: the entries (levels) of
// wanted row i are [start[i], start[i+1]); each entry whose definition
// level is maxDef has a value, in entry order: ints[k], or the bytes
// arena[offs[2k]:offs[2k+1]].
type colData struct {
	start []int32
	rep   []uint8 // nil when maxRep is 0 (one entry per row)
	def   []uint8 // nil when maxDef is 0 (every entry has a value)
	ints  []int64
	offs  []uint32
	arena []byte
	// dictionary indexes of the values, resolved by resolveDict
	idx []uint32
}

// directScratch are the reused buffers of one goroutine of the reader.
type directScratch struct {
	raw   []byte // a page as stored (header included)
	vals  []byte // a page's values, decompressed
	dict  []byte // a dictionary page, decompressed
	order []int32
	dec   *zstd.Decoder
	page  lazyPage
}

var directScratchPool = sync.Pool{New: func() any { return new(directScratch) }}

// values sets s.page to the values section b of a page: as it is, or
// decompressed on demand into s.vals (or s.dict for a dictionary).
func (s *directScratch) values(b []byte, compressed bool, size int, dict bool) (*lazyPage, error) {
	if !compressed {
		s.page = lazyPage{}
		s.page.set(b)
		return &s.page, nil
	}
	if s.dec == nil {
		var err error
		if s.dec, err = newZstdDecoder(); err != nil {
			return nil, err
		}
	}
	buf := &s.vals
	if dict {
		buf = &s.dict
	}
	var err error
	*buf, err = s.page.start(s.dec, *buf, b, size)
	return &s.page, err
}

// grow returns b with a capacity of at least n and length n.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n, n+n/4)
	}
	return b[:n]
}

// chunkSource is what readColumn reads a column chunk from.
type chunkSource struct {
	r     io.ReaderAt
	meta  *chunkMeta
	index parquet.OffsetIndex
	rows  int64 // rows of the row group
}

// maxPageBytes bounds a page the direct reader reads (a larger one is
// left to parquet-go).
const maxPageBytes = 64 << 20

// readPage reads page p (header included) and returns its header and
// the bytes after the header.
func (s *directScratch) readPage(src *chunkSource, off, size int64) (pageHeader, []byte, error) {
	if size <= 0 || size > maxPageBytes || off < 0 {
		return pageHeader{}, nil, fmt.Errorf("page at %d of %d bytes: %w", off, size, errMalformed)
	}
	s.raw = grow(s.raw, int(size))
	if _, err := src.r.ReadAt(s.raw, off); err != nil {
		return pageHeader{}, nil, fmt.Errorf("read page at %d: %w", off, err)
	}
	h, n, err := readPageHeader(s.raw)
	if err != nil {
		return h, nil, err
	}
	if int64(n)+int64(h.compressed) != size {
		return h, nil, fmt.Errorf("page at %d: %d header + %d data bytes in %d: %w", off, n, h.compressed, size, errMalformed)
	}
	return h, s.raw[n:], nil
}

// codecOf returns whether the chunk's pages are zstd-compressed; any
// codec but zstd and none is left to parquet-go.
func codecOf(meta *chunkMeta) (bool, error) {
	switch meta.codec {
	case format.Uncompressed:
		return false, nil
	case format.Zstd:
		return true, nil
	}
	return false, fmt.Errorf("codec %s: %w", meta.codec, errMalformed)
}

// readColumn reads the wanted rows (ascending, of the row group) of the
// column chunk src describes.
func (s *directScratch) readColumn(src *chunkSource, spec colSpec, rows []int64) (*colData, error) {
	zstdPages, err := codecOf(src.meta)
	if err != nil {
		return nil, err
	}
	np := src.index.NumPages()
	d := &colData{start: make([]int32, 1, len(rows)+1)}
	mode := 0 // 1: plain values, 2: dictionary indexes
	for i := 0; i < len(rows); {
		p := pageOf(src.index, rows[i])
		if p < 0 {
			return nil, fmt.Errorf("row %d in no page: %w", rows[i], errMalformed)
		}
		first, end := src.index.FirstRowIndex(p), src.rows
		if p+1 < np {
			end = src.index.FirstRowIndex(p + 1)
		}
		if end <= first || rows[i] >= end {
			return nil, fmt.Errorf("page %d: rows %d-%d: %w", p, first, end, errMalformed)
		}
		j := i
		for j < len(rows) && rows[j] < end {
			j++
		}
		dict, err := s.readDataPage(src, spec, p, first, end, rows[i:j], zstdPages, d)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", p, err)
		}
		m := 1
		if dict {
			m = 2
		}
		if mode != 0 && mode != m {
			return nil, fmt.Errorf("dictionary and plain pages mixed: %w", errMalformed)
		}
		mode = m
		i = j
	}
	if mode == 2 {
		if err := s.resolveDict(src, zstdPages, d); err != nil {
			return nil, fmt.Errorf("dictionary: %w", err)
		}
	}
	return d, nil
}

// pageOf returns the page holding row (-1 if none).
func pageOf(oi parquet.OffsetIndex, row int64) int {
	lo, hi := 0, oi.NumPages()
	for lo < hi { // first page whose first row is > row
		m := int(uint(lo+hi) >> 1)
		if oi.FirstRowIndex(m) <= row {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// valueRange is the values [vs, ve) of a page that a wanted row holds.
type valueRange struct{ vs, ve int }

// readDataPage appends to d the wanted rows (of the row group, in
// [first, end)) of page p, and reports whether its values are dictionary
// indexes (appended to d.idx for resolveDict).
func (s *directScratch) readDataPage(src *chunkSource, spec colSpec, p int, first, end int64, want []int64, zstdPages bool, d *colData) (bool, error) {
	h, body, err := s.readPage(src, src.index.Offset(p), src.index.CompressedPageSize(p))
	if err != nil {
		return false, err
	}
	if h.typ != pageDataV2 || !h.hasV2 || int64(h.numRows) != end-first || h.numValues == 0 ||
		int(h.repLen)+int(h.defLen) > len(body) || h.numNulls > h.numValues {
		return false, fmt.Errorf("page type %d (v2 %v), %d rows of %d: %w", h.typ, h.hasV2, h.numRows, end-first, errMalformed)
	}
	n := int(h.numValues)
	repB, defB, valB := body[:h.repLen], body[h.repLen:h.repLen+h.defLen], body[h.repLen+h.defLen:]
	vals, err := s.values(valB, zstdPages && h.compressedV2, int(h.uncompressed)-int(h.repLen)-int(h.defLen), false)
	if err != nil {
		return false, err
	}
	// Levels: walked by runs to the wanted rows (whose levels alone are
	// decoded): entry e starts the page's row `row`, with v values before
	// it.
	var rep, def *hybrid
	if spec.maxRep > 0 {
		h, err := newHybrid(repB, uint(bits.Len8(spec.maxRep)))
		if err != nil {
			return false, err
		}
		rep = &h
	} else if n != int(h.numRows) || len(repB) != 0 {
		return false, errMalformed
	}
	if spec.maxDef > 0 {
		h, err := newHybrid(defB, uint(bits.Len8(spec.maxDef)))
		if err != nil {
			return false, err
		}
		def = &h
	} else if len(defB) != 0 || h.numNulls != 0 {
		return false, errMalformed
	}
	nvals := n - int(h.numNulls)
	countVals := func(k int) (int, error) {
		if def == nil {
			return k, nil
		}
		return def.countEq(k, uint32(spec.maxDef))
	}
	ranges := make([]valueRange, 0, len(want))
	e, row, v := 0, int64(0), 0
	for _, w := range want {
		r := w - first
		skip := int(r - row)
		if rep != nil {
			if skip, err = rep.seekZero(int(r-row), n-e); err != nil {
				return false, err
			}
		}
		k, err := countVals(skip)
		if err != nil {
			return false, err
		}
		e, v = e+skip, v+k
		if e >= n {
			return false, errMalformed
		}
		// The row's entries: up to the next repetition level 0.
		es, vs := e, v
		for {
			if rep != nil {
				lv, err := rep.next()
				if err != nil || (e == es) != (lv == 0) {
					return false, errMalformed
				}
				d.rep = append(d.rep, uint8(lv))
			}
			if def != nil {
				lv, err := def.next()
				if err != nil || lv > uint32(spec.maxDef) {
					return false, errMalformed
				}
				d.def = append(d.def, uint8(lv))
				if lv == uint32(spec.maxDef) {
					v++
				}
			} else {
				v++
			}
			e++
			if rep == nil || e >= n {
				break
			}
			if lv, err := rep.peek(); err != nil {
				return false, err
			} else if lv == 0 {
				break
			}
		}
		if v > nvals {
			return false, errMalformed
		}
		ranges = append(ranges, valueRange{vs, v})
		d.start = append(d.start, d.start[len(d.start)-1]+int32(e-es))
		row = r + 1
	}
	// Values.
	switch {
	case h.encoding == encPlain:
		return false, plainValues(vals, spec.kind, nvals, ranges, d)
	case h.encoding == encDeltaBinary && spec.kind != kindBytes:
		return false, deltaValues(vals, spec.kind == kindInt32, nvals, ranges, d)
	case h.encoding == encDeltaLength && spec.kind == kindBytes:
		return false, deltaLengthValues(vals, nvals, ranges, d)
	case (h.encoding == encRLEDictionary || h.encoding == encPlainDict) && spec.kind == kindBytes:
		return true, dictIndexes(vals, nvals, ranges, d)
	}
	return false, fmt.Errorf("encoding %d of a kind %d column: %w", h.encoding, spec.kind, errMalformed)
}

// plainValues appends the values of ranges of a PLAIN page of nvals values.
func plainValues(lp *lazyPage, kind leafKind, nvals int, ranges []valueRange, d *colData) error {
	b := lp.b
	switch kind {
	case kindInt32, kindInt64:
		size := 4
		if kind == kindInt64 {
			size = 8
		}
		if len(b) != nvals*size {
			return errMalformed
		}
		for _, r := range ranges {
			if err := lp.need(r.ve * size); err != nil {
				return err
			}
			for k := r.vs; k < r.ve; k++ {
				if size == 4 {
					d.ints = append(d.ints, int64(int32(binary.LittleEndian.Uint32(b[4*k:]))))
				} else {
					d.ints = append(d.ints, int64(binary.LittleEndian.Uint64(b[8*k:])))
				}
			}
		}
		return nil
	}
	off, k := 0, 0
	for _, r := range ranges {
		for ; k < r.ve; k++ {
			if err := lp.need(off + 4); err != nil {
				return err
			}
			l := int(binary.LittleEndian.Uint32(b[off:]))
			off += 4
			if l < 0 || l > len(b)-off {
				return errMalformed
			}
			if k >= r.vs {
				if err := lp.need(off + l); err != nil {
					return err
				}
				d.addBytes(b[off : off+l])
			}
			off += l
		}
	}
	return nil
}

// addBytes appends a byte-array value.
func (d *colData) addBytes(v []byte) {
	d.offs = append(d.offs, uint32(len(d.arena)))
	d.arena = append(d.arena, v...)
	d.offs = append(d.offs, uint32(len(d.arena)))
}

// deltaValues appends the values of ranges of a DELTA_BINARY_PACKED page.
func deltaValues(lp *lazyPage, is32 bool, nvals int, ranges []valueRange, d *colData) error {
	di, err := newDeltaInts(lp, 0, is32)
	if err != nil {
		return err
	}
	if di.total != nvals {
		return errMalformed
	}
	k := 0
	for _, r := range ranges {
		if _, err := di.sum(r.vs - k); err != nil {
			return err
		}
		for k = r.vs; k < r.ve; k++ {
			x, err := di.next()
			if err != nil {
				return err
			}
			d.ints = append(d.ints, x)
		}
	}
	return nil
}

// deltaLengthValues appends the values of ranges of a
// DELTA_LENGTH_BYTE_ARRAY page: the lengths (DELTA_BINARY_PACKED), then
// the bytes of every value one after the other.
func deltaLengthValues(lp *lazyPage, nvals int, ranges []valueRange, d *colData) error {
	lensEnd, total, _, _, err := deltaEnd(lp)
	if err != nil {
		return err
	}
	if total != nvals {
		return errMalformed
	}
	lens, err := newDeltaInts(lp, 0, true)
	if err != nil {
		return err
	}
	off, k := int64(lensEnd), 0
	for _, r := range ranges {
		skipped, err := lens.sum(r.vs - k)
		if err != nil {
			return err
		}
		off += skipped
		for k = r.vs; k < r.ve; k++ {
			l, err := lens.next()
			if err != nil {
				return err
			}
			if off < int64(lensEnd) || l < 0 || off+l > int64(len(lp.b)) {
				return errMalformed
			}
			if err := lp.need(int(off + l)); err != nil {
				return err
			}
			d.addBytes(lp.b[off : off+l])
			off += l
		}
	}
	return nil
}

// dictIndexes appends the dictionary indexes of the values of ranges of
// an RLE_DICTIONARY page: a byte of bit width, then the hybrid.
func dictIndexes(lp *lazyPage, nvals int, ranges []valueRange, d *colData) error {
	if nvals == 0 {
		return nil
	}
	if err := lp.need(1); err != nil {
		return err
	}
	h, err := newHybrid(lp.b[1:], uint(lp.b[0]))
	if err != nil {
		return err
	}
	h.lazy, h.base = lp, 1
	k := 0
	for _, r := range ranges {
		if r.ve > nvals {
			return errMalformed
		}
		if err := h.advance(r.vs - k); err != nil {
			return err
		}
		for k = r.vs; k < r.ve; k++ {
			x, err := h.next()
			if err != nil {
				return err
			}
			d.idx = append(d.idx, x)
		}
	}
	return nil
}

// resolveDict reads the chunk's dictionary page and fills d's values
// from d.idx, walking the dictionary's plain lengths once (no value is
// decoded but the wanted ones).
func (s *directScratch) resolveDict(src *chunkSource, zstdPages bool, d *colData) error {
	off := src.meta.dictOffset
	if off <= 0 || src.index.NumPages() == 0 || off >= src.index.Offset(0) {
		return fmt.Errorf("no dictionary page: %w", errMalformed)
	}
	h, body, err := s.readPage(src, off, src.index.Offset(0)-off)
	if err != nil {
		return err
	}
	if h.typ != pageDictionary || !h.hasDict || (h.encoding != encPlain && h.encoding != encPlainDict) {
		return fmt.Errorf("page type %d, encoding %d: %w", h.typ, h.encoding, errMalformed)
	}
	lp, err := s.values(body, zstdPages, int(h.uncompressed), true)
	if err != nil {
		return err
	}
	body = lp.b
	// The wanted indexes in ascending order.
	s.order = s.order[:0]
	for i := range d.idx {
		s.order = append(s.order, int32(i))
	}
	slices.SortFunc(s.order, func(a, b int32) int { return int(d.idx[a]) - int(d.idx[b]) })
	starts := make([]uint32, len(d.idx)) // of each value in body
	ends := make([]uint32, len(d.idx))
	pos, k := 0, uint32(0)
	for _, i := range s.order {
		want := d.idx[i]
		if want >= uint32(h.numValues) {
			return errMalformed
		}
		for ; k <= want; k++ {
			if pos+4 > lp.have {
				if err := lp.need(pos + 4); err != nil {
					return err
				}
			}
			l := int(binary.LittleEndian.Uint32(body[pos:]))
			if l < 0 || l > len(body)-pos-4 {
				return errMalformed
			}
			if k == want {
				if err := lp.need(pos + 4 + l); err != nil {
					return err
				}
				break
			}
			pos += 4 + l
		}
		l := int(binary.LittleEndian.Uint32(body[pos:]))
		starts[i], ends[i] = uint32(pos+4), uint32(pos+4+l)
	}
	for i := range d.idx {
		d.addBytes(body[starts[i]:ends[i]])
	}
	return nil
}
