package parts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

// The page-level decoding of the direct trace reader (trace_direct.go):
// a Parquet page header (Thrift compact protocol), the RLE/bit-packed
// hybrid of levels and dictionary indexes, DELTA_BINARY_PACKED and
// DELTA_LENGTH_BYTE_ARRAY. Written from the Parquet format
// specification (github.com/apache/parquet-format: README, Encodings.md)
// for the pages overlook writes; every decoder fails with errMalformed on
// input it does not understand, and the reader then falls back to
// parquet-go.

// errMalformed: a page the direct reader cannot decode.
var errMalformed = errors.New("direct reader: malformed or unsupported page")

// Parquet page types and encodings (parquet.thrift).
const (
	pageData       = 0
	pageDictionary = 2
	pageDataV2     = 3

	encPlain          = 0
	encPlainDict      = 2
	encRLE            = 3
	encDeltaBinary    = 5
	encDeltaLength    = 6
	encRLEDictionary  = 8
	maxThriftDepth    = 16
	maxPageHeaderSize = 16 << 10
)

// pageHeader is what the direct reader uses of a page header.
type pageHeader struct {
	typ          int32
	uncompressed int32 // bytes after the header, decompressed
	compressed   int32 // bytes after the header, as stored
	numValues    int32 // v2 data page (levels included) or dictionary page
	numNulls     int32
	numRows      int32
	encoding     int32
	defLen       int32
	repLen       int32
	compressedV2 bool // v2: the values section is compressed (default true)
	hasV2        bool
	hasDict      bool
}

// thriftReader reads the Thrift compact protocol.
type thriftReader struct {
	cursor // the part index decoder's: bytes, offset, uvarint
}

func (r *thriftReader) byte() byte {
	if r.off >= len(r.b) {
		r.bad = true
		return 0
	}
	c := r.b[r.off]
	r.off++
	return c
}

func (r *thriftReader) i32() int32 {
	v := r.uvarint()
	if v > 1<<32-1 {
		r.bad = true
	}
	return int32(uint32(v>>1) ^ -uint32(v&1))
}

// field reads a field header; typ 0 is the end of the struct.
func (r *thriftReader) field(last *int16) (id int16, typ byte) {
	h := r.byte()
	typ = h & 0x0f
	if typ == 0 {
		return 0, 0
	}
	if d := h >> 4; d != 0 {
		id = *last + int16(d)
	} else {
		v := r.uvarint()
		id = int16(uint16(v>>1) ^ -uint16(v&1))
	}
	*last = id
	return id, typ
}

// skip skips a value of compact type typ.
func (r *thriftReader) skip(typ byte, depth int) {
	if depth > maxThriftDepth {
		r.bad = true
		return
	}
	switch typ {
	case 1, 2: // boolean in a field header
	case 3:
		r.byte()
	case 4, 5, 6:
		r.uvarint()
	case 7:
		r.off += 8
	case 8:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.bad = true
			return
		}
		r.off += int(n)
	case 9, 10:
		h := r.byte()
		n, et := uint64(h>>4), h&0x0f
		if n == 15 {
			n = r.uvarint()
		}
		if n > uint64(len(r.b)) {
			r.bad = true
			return
		}
		for range n {
			if r.bad || r.off > len(r.b) {
				r.bad = true
				return
			}
			if et == 1 || et == 2 { // booleans in a list: a byte each
				r.byte()
				continue
			}
			r.skip(et, depth+1)
		}
	case 11:
		n := r.uvarint()
		if n == 0 {
			return
		}
		if n > uint64(len(r.b)) {
			r.bad = true
			return
		}
		kv := r.byte()
		for range n {
			if r.bad || r.off > len(r.b) {
				r.bad = true
				return
			}
			r.skip(kv>>4, depth+1)
			r.skip(kv&0x0f, depth+1)
		}
	case 12:
		var last int16
		for !r.bad {
			_, t := r.field(&last)
			if t == 0 {
				return
			}
			r.skip(t, depth+1)
		}
	default:
		r.bad = true
	}
	if r.off > len(r.b) {
		r.bad = true
	}
}

// readPageHeader decodes the page header at the start of b and returns
// it with its size in bytes.
func readPageHeader(b []byte) (pageHeader, int, error) {
	r := thriftReader{cursor{b: b}}
	h := pageHeader{compressedV2: true}
	var last int16
	for !r.bad {
		id, typ := r.field(&last)
		if typ == 0 {
			break
		}
		switch {
		case id == 1 && typ == 5:
			h.typ = r.i32()
		case id == 2 && typ == 5:
			h.uncompressed = r.i32()
		case id == 3 && typ == 5:
			h.compressed = r.i32()
		case id == 7 && typ == 12:
			h.hasDict = true
			var l int16
			for !r.bad {
				fid, ft := r.field(&l)
				if ft == 0 {
					break
				}
				switch {
				case fid == 1 && ft == 5:
					h.numValues = r.i32()
				case fid == 2 && ft == 5:
					h.encoding = r.i32()
				default:
					r.skip(ft, 1)
				}
			}
		case id == 8 && typ == 12:
			h.hasV2 = true
			var l int16
			for !r.bad {
				fid, ft := r.field(&l)
				if ft == 0 {
					break
				}
				switch {
				case fid == 1 && ft == 5:
					h.numValues = r.i32()
				case fid == 2 && ft == 5:
					h.numNulls = r.i32()
				case fid == 3 && ft == 5:
					h.numRows = r.i32()
				case fid == 4 && ft == 5:
					h.encoding = r.i32()
				case fid == 5 && ft == 5:
					h.defLen = r.i32()
				case fid == 6 && ft == 5:
					h.repLen = r.i32()
				case fid == 7 && (ft == 1 || ft == 2):
					h.compressedV2 = ft == 1
				default:
					r.skip(ft, 1)
				}
			}
		default:
			r.skip(typ, 0)
		}
	}
	if r.bad || h.uncompressed < 0 || h.compressed < 0 || h.numValues < 0 || h.numNulls < 0 ||
		h.numRows < 0 || h.defLen < 0 || h.repLen < 0 {
		return pageHeader{}, 0, fmt.Errorf("page header: %w", errMalformed)
	}
	return h, r.off, nil
}

// hybrid decodes the RLE/bit-packed hybrid encoding (levels, dictionary
// indexes) of values of width bits, without a length prefix.
type hybrid struct {
	b     []byte
	off   int
	width uint
	// the current run: n values left; rle: all val, otherwise bit-packed
	// from bit pos of packed
	n      int
	rle    bool
	val    uint32
	packed []byte
	pos    uint
	// lazy, when set, holds b from offset base, decompressed on demand;
	// packOff is the offset of packed in b.
	lazy    *lazyPage
	base    int
	packOff int
}

// want makes b[:off] readable (capped at len(b)).
func (h *hybrid) want(off int) error {
	if h.lazy == nil {
		return nil
	}
	return h.lazy.need(h.base + min(off, len(h.b)))
}

func newHybrid(b []byte, width uint) (hybrid, error) {
	if width > 32 {
		return hybrid{}, errMalformed
	}
	return hybrid{b: b, width: width}, nil
}

// run starts the next run (each consumes at least its header byte).
func (h *hybrid) run() error {
	if err := h.want(h.off + binary.MaxVarintLen64 + 4); err != nil {
		return err
	}
	hd, n := binary.Uvarint(h.b[h.off:])
	if n <= 0 || hd>>1 > 1<<31 {
		return errMalformed
	}
	h.off += n
	if hd&1 == 0 {
		h.rle, h.n = true, int(hd>>1)
		w := int(h.width+7) / 8
		if h.off+w > len(h.b) {
			return errMalformed
		}
		var v uint32
		for i := range w {
			v |= uint32(h.b[h.off+i]) << (8 * i)
		}
		h.off += w
		if h.width < 32 && v>>h.width != 0 {
			return errMalformed
		}
		h.val = v
		return nil
	}
	groups := int(hd >> 1)
	size := groups * int(h.width)
	if size > len(h.b)-h.off {
		size = len(h.b) - h.off // the last run may be cut short of its padding
	}
	h.rle, h.n, h.packed, h.pos, h.packOff = false, groups*8, h.b[h.off:h.off+size], 0, h.off
	h.off += size
	return nil
}

// unpack reads the width-bit value at bit pos of b (little-endian bit
// order); bits past the end of b read as 0.
func unpack(b []byte, pos, width uint) uint32 {
	if width == 0 {
		return 0
	}
	i := pos / 8
	var w uint64
	if i+8 <= uint(len(b)) {
		w = binary.LittleEndian.Uint64(b[i:])
	} else {
		for k := uint(0); i+k < uint(len(b)); k++ {
			w |= uint64(b[i+k]) << (8 * k)
		}
	}
	return uint32(w>>(pos%8)) & (1<<width - 1)
}

// next returns the next value.
func (h *hybrid) next() (uint32, error) {
	if err := h.fill(); err != nil {
		return 0, err
	}
	h.n--
	if h.rle {
		return h.val, nil
	}
	if h.lazy != nil {
		if err := h.want(h.packOff + int(h.pos/8) + 8); err != nil {
			return 0, err
		}
	}
	v := unpack(h.packed, h.pos, h.width)
	h.pos += h.width
	return v, nil
}

// advance skips n values.
func (h *hybrid) advance(n int) error {
	for n > 0 {
		for h.n == 0 {
			if h.off >= len(h.b) {
				return errMalformed
			}
			if err := h.run(); err != nil {
				return err
			}
		}
		k := min(n, h.n)
		if !h.rle {
			h.pos += uint(k) * h.width
		}
		h.n -= k
		n -= k
	}
	return nil
}

// deltaInts decodes DELTA_BINARY_PACKED values one after the other.
// For an INT32 stream (is32) the arithmetic wraps at 32 bits, as the
// writer's does.
type deltaInts struct {
	lazy     *lazyPage // b is lazy.b[base:]
	base     int
	b        []byte
	off      int
	per      int // values per miniblock
	minis    int // miniblocks per block
	total    int // values in the stream
	read     int // values returned
	is32     bool
	last     int64
	minDelta int64
	widths   []byte // of the current block's miniblocks
	mini     int    // current miniblock
	left     int    // values left in it
	bits     []byte
	pos      uint
	width    uint
}

// deltaHeader parses the stream header: values per block, miniblocks per
// block, values, first value, and the header's size.
func deltaHeader(b []byte) (block, minis, total int, first int64, size int, err error) {
	bl, n1 := binary.Uvarint(b)
	if n1 <= 0 {
		return 0, 0, 0, 0, 0, errMalformed
	}
	mi, n2 := binary.Uvarint(b[n1:])
	if n2 <= 0 {
		return 0, 0, 0, 0, 0, errMalformed
	}
	to, n3 := binary.Uvarint(b[n1+n2:])
	if n3 <= 0 {
		return 0, 0, 0, 0, 0, errMalformed
	}
	first, n4 := binary.Varint(b[n1+n2+n3:])
	if n4 <= 0 {
		return 0, 0, 0, 0, 0, errMalformed
	}
	// A width-0 miniblock takes no byte: the count is bounded by the
	// block headers (≥ 1 + minis bytes per block of values).
	if bl == 0 || bl%128 != 0 || bl > 1<<16 || mi == 0 || bl%mi != 0 || (bl/mi)%32 != 0 ||
		to > uint64(len(b))*bl+1 {
		return 0, 0, 0, 0, 0, errMalformed
	}
	return int(bl), int(mi), int(to), first, n1 + n2 + n3 + n4, nil
}

func newDeltaInts(lp *lazyPage, base int, is32 bool) (*deltaInts, error) {
	if err := lp.need(min(len(lp.b), base+4*binary.MaxVarintLen64)); err != nil {
		return nil, err
	}
	b := lp.b[base:]
	block, minis, total, first, size, err := deltaHeader(b)
	if err != nil {
		return nil, err
	}
	if is32 && int64(int32(first)) != first {
		return nil, errMalformed
	}
	return &deltaInts{lazy: lp, base: base, b: b, off: size, per: block / minis, minis: minis, total: total, is32: is32, last: first}, nil
}

// want makes b[:off] readable (capped at len(b)).
func (d *deltaInts) want(off int) error {
	return d.lazy.need(d.base + min(off, len(d.b)))
}

// next returns the next value.
func (d *deltaInts) next() (int64, error) {
	if d.read >= d.total {
		return 0, errMalformed
	}
	d.read++
	if d.read == 1 {
		return d.last, nil
	}
	if d.left == 0 {
		if err := d.nextMini(); err != nil {
			return 0, err
		}
	}
	d.left--
	var v uint64
	if d.width > 0 {
		v = unpack64(d.bits, d.pos, d.width)
		d.pos += d.width
	}
	d.last += d.minDelta + int64(v)
	if d.is32 {
		d.last = int64(int32(d.last))
	}
	return d.last, nil
}

// sum skips n values and returns their sum (wrapping; the lengths of a
// DELTA_LENGTH_BYTE_ARRAY page: the bytes before the next value).
func (d *deltaInts) sum(n int) (int64, error) {
	var s int64
	for n > 0 {
		if d.read == 0 || d.left == 0 {
			v, err := d.next()
			if err != nil {
				return 0, err
			}
			s += v
			n--
			continue
		}
		k := min(n, d.left, d.total-d.read)
		if k <= 0 {
			return 0, errMalformed
		}
		last, md := d.last, d.minDelta
		switch {
		case d.width == 0 && md == 0:
			s += int64(k) * last
		case d.width == 0 && !d.is32:
			s += int64(k)*last + md*int64(k)*int64(k+1)/2
			last += md * int64(k)
		default:
			b, pos, w := d.bits, d.pos, d.width
			for range k {
				if w > 0 {
					last += md + int64(unpack64(b, pos, w))
					pos += w
				} else {
					last += md
				}
				if d.is32 {
					last = int64(int32(last))
				}
				s += last
			}
			d.pos = pos
		}
		d.last = last
		d.left -= k
		d.read += k
		n -= k
	}
	return s, nil
}

// nextMini moves to the next miniblock (reading a block header first at
// the end of a block).
func (d *deltaInts) nextMini() error {
	if d.widths == nil || d.mini+1 >= d.minis {
		if err := d.want(d.off + binary.MaxVarintLen64 + d.minis); err != nil {
			return err
		}
		md, n := binary.Varint(d.b[min(d.off, len(d.b)):])
		if n <= 0 || d.off+n+d.minis > len(d.b) {
			return errMalformed
		}
		if d.is32 && int64(int32(md)) != md {
			return errMalformed
		}
		d.minDelta = md
		d.off += n
		d.widths = d.b[d.off : d.off+d.minis]
		d.off += d.minis
		d.mini = 0
	} else {
		d.mini++
	}
	w := uint(d.widths[d.mini])
	if w > 64 || (d.is32 && w > 32) {
		return errMalformed
	}
	size := d.per * int(w) / 8
	if d.off+size > len(d.b) {
		return errMalformed
	}
	if err := d.want(d.off + size); err != nil {
		return err
	}
	d.bits, d.pos, d.width = d.b[d.off:d.off+size], 0, w
	d.off += size
	d.left = d.per
	return nil
}

// deltaEnd returns the size of the DELTA_BINARY_PACKED stream at the
// start of lp (the bytes of a DELTA_LENGTH_BYTE_ARRAY page follow it), its
// value count, and its first value if every value is that one (constant:
// every delta is 0). Miniblocks after the last value have no body.
func deltaEnd(lp *lazyPage) (size, total int, constant int64, isConst bool, err error) {
	if err := lp.need(min(len(lp.b), 4*binary.MaxVarintLen64)); err != nil {
		return 0, 0, 0, false, err
	}
	b := lp.b
	block, minis, total, first, off, err := deltaHeader(b)
	if err != nil {
		return 0, 0, 0, false, err
	}
	isConst = true
	per := block / minis
	for left := total - 1; left > 0; {
		if err := lp.need(min(len(b), off+binary.MaxVarintLen64+minis)); err != nil {
			return 0, 0, 0, false, err
		}
		md, n := binary.Varint(b[min(off, len(b)):])
		if n <= 0 || off+n+minis > len(b) {
			return 0, 0, 0, false, errMalformed
		}
		isConst = isConst && md == 0
		widths := b[off+n : off+n+minis]
		off += n + minis
		for _, w := range widths {
			if left <= 0 {
				break
			}
			if w > 64 {
				return 0, 0, 0, false, errMalformed
			}
			isConst = isConst && w == 0
			off += per * int(w) / 8
			left -= per
		}
	}
	if off > len(b) {
		return 0, 0, 0, false, errMalformed
	}
	return off, total, first, isConst, nil
}

// unpack64 is unpack for widths up to 64.
func unpack64(b []byte, pos, width uint) uint64 {
	if width <= 32 {
		return uint64(unpack(b, pos, width))
	}
	lo := uint64(unpack(b, pos, 32))
	hi := uint64(unpack(b, pos+32, width-32))
	return lo | hi<<32
}

// fill starts the next run if the current one is used up.
func (h *hybrid) fill() error {
	for h.n == 0 {
		if h.off >= len(h.b) {
			return errMalformed
		}
		if err := h.run(); err != nil {
			return err
		}
	}
	return nil
}

// peek returns the next value without consuming it.
func (h *hybrid) peek() (uint32, error) {
	if err := h.fill(); err != nil {
		return 0, err
	}
	if h.rle {
		return h.val, nil
	}
	return unpack(h.packed, h.pos, h.width), nil
}

// countEq skips n values and returns how many of them equal v.
func (h *hybrid) countEq(n int, v uint32) (int, error) {
	eq := 0
	for n > 0 {
		if err := h.fill(); err != nil {
			return 0, err
		}
		k := min(n, h.n)
		switch {
		case h.rle:
			if h.val == v {
				eq += k
			}
		case h.width == 1 && h.pos%8 == 0:
			ones := onesIn(h.packed, h.pos, k)
			if v == 1 {
				eq += ones
			} else if v == 0 {
				eq += k - ones
			}
			h.pos += uint(k)
		default:
			for range k {
				if unpack(h.packed, h.pos, h.width) == v {
					eq++
				}
				h.pos += h.width
			}
		}
		h.n -= k
		n -= k
	}
	return eq, nil
}

// onesIn counts the set bits among the k bits of b from bit pos (a
// multiple of 8); bits past the end of b are 0.
func onesIn(b []byte, pos uint, k int) int {
	i := int(pos / 8)
	ones := 0
	for ; k >= 64 && i+8 <= len(b); k, i = k-64, i+8 {
		ones += bits.OnesCount64(binary.LittleEndian.Uint64(b[i:]))
	}
	for ; k >= 8 && i < len(b); k, i = k-8, i+1 {
		ones += bits.OnesCount8(b[i])
	}
	if k > 0 && k < 8 && i < len(b) {
		ones += bits.OnesCount8(b[i] & (1<<k - 1))
	}
	return ones
}

// seekZero consumes values until k zeros were consumed and the next
// value is a zero (a repetition level: the start of the k-th row after
// the current one), or the data ends (a zero follows no more); it returns
// the number of values consumed. limit bounds the values there are.
func (h *hybrid) seekZero(k, limit int) (int, error) {
	used := 0
	for used < limit {
		if err := h.fill(); err != nil {
			return 0, err
		}
		left := min(h.n, limit-used)
		switch {
		case h.rle && h.val == 0:
			if k == 0 {
				return used, nil
			}
			t := min(left, k)
			k -= t
			used += t
			h.n -= t
		case h.rle:
			used += left
			h.n -= left
		case h.width == 1 && h.pos%8 == 0 && left >= 8 && k > 8:
			// whole bytes while they hold fewer zeros than are to be passed
			i := int(h.pos / 8)
			t := 0
			for t+8 <= left && i < len(h.packed) {
				z := 8 - bits.OnesCount8(h.packed[i])
				if z >= k {
					break
				}
				k -= z
				t += 8
				i++
			}
			if t == 0 {
				goto one
			}
			used += t
			h.n -= t
			h.pos += uint(t)
		default:
			goto one
		}
		continue
	one:
		if unpack(h.packed, h.pos, h.width) == 0 {
			if k == 0 {
				return used, nil
			}
			k--
		}
		h.pos += h.width
		h.n--
		used++
	}
	if k > 0 {
		return 0, errMalformed
	}
	return used, nil
}
