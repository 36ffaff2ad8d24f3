package duckdb

import (
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// tableChunks holds rows converted from pdata for one table.
type tableChunks struct {
	table  int // index into tableList
	chunks []bindings.DataChunk
	rows   int
}

// batch is everything one Insert* call writes, table by table. All of it
// commits in one transaction, together with other batches of the group.
type batch struct {
	tables []tableChunks
	rows   int // what counts against MaxPendingRows
}

func (b *batch) add(t tableChunks) {
	if t.rows == 0 {
		freeChunks(t.chunks)
		return
	}
	b.tables = append(b.tables, t)
	b.rows += t.rows
}

// free releases the chunks' C memory; b must not be used afterwards.
func (b *batch) free() {
	for _, t := range b.tables {
		freeChunks(t.chunks)
	}
	b.tables = nil
}

func (b *chunkBuilder) result(table int) tableChunks {
	rows := b.rows
	return tableChunks{table: table, chunks: b.finish(), rows: rows}
}

// str makes s safe to append: DuckDB VARCHAR must be valid UTF-8, and
// the unchecked assign used by chunk.go would otherwise store garbage.
// pdata's proto decoder does not validate UTF-8.
func str(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// maxNanos is the largest instant stored: DuckDB reserves int64 max as
// 'infinity' for TIMESTAMP_NS, and a search's exclusive end can be at most
// int64 max - 1 (clampTime), so a clamped timestamp stays findable.
const maxNanos = math.MaxInt64 - 2

// nanos converts an OTLP timestamp (ns since epoch, unsigned) to the
// stored int64, clamping values beyond year 2262.
func nanos(t pcommon.Timestamp) int64 {
	if uint64(t) > maxNanos {
		return maxNanos
	}
	return int64(t)
}

// ts converts an OTLP timestamp to a UTC time, clamped like nanos.
func ts(t pcommon.Timestamp) time.Time { return time.Unix(0, nanos(t)).UTC() }

// traceID returns the lowercase hex form of id, or "" when id is empty
// (as the ClickHouse exporter does).
func traceID(id pcommon.TraceID) string {
	if id.IsEmpty() {
		return ""
	}
	return hex.EncodeToString(id[:])
}

// spanID returns the lowercase hex form of id, or "" when id is empty.
func spanID(id pcommon.SpanID) string {
	if id.IsEmpty() {
		return ""
	}
	return hex.EncodeToString(id[:])
}

// serviceName is the resource's service.name, "" when absent.
func serviceName(res pcommon.Resource) string {
	if v, ok := res.Attributes().Get("service.name"); ok {
		return str(v.AsString())
	}
	return ""
}

// Row-level setters of the chunk builder: column c of the current row.

func (b *chunkBuilder) str(c int, s string)               { b.cols[c].setStr(b.row, s) }
func (b *chunkBuilder) hex(c int, id []byte)              { b.cols[c].setHex(b.row, id) }
func (b *chunkBuilder) u8(c int, v uint8)                 { b.cols[c].setU8(b.row, v) }
func (b *chunkBuilder) u32(c int, v uint32)               { b.cols[c].setU32(b.row, v) }
func (b *chunkBuilder) u64(c int, v uint64)               { b.cols[c].setU64(b.row, v) }
func (b *chunkBuilder) i32(c int, v int32)                { b.cols[c].setI32(b.row, v) }
func (b *chunkBuilder) f64(c int, v float64)              { b.cols[c].setF64(b.row, v) }
func (b *chunkBuilder) bool(c int, v bool)                { b.cols[c].setBool(b.row, v) }
func (b *chunkBuilder) ts(c int, t pcommon.Timestamp)     { b.cols[c].setI64(b.row, nanos(t)) }
func (b *chunkBuilder) tsNanos(c int, ns int64)           { b.cols[c].setI64(b.row, ns) }
func (b *chunkBuilder) u64s(c int, s pcommon.UInt64Slice) { setU64s(b.cols[c], b.row, s) }
func (b *chunkBuilder) f64s(c int, s pcommon.Float64Slice) {
	x := b.cols[c]
	off := x.list(b.row, uint64(s.Len()))
	for i, v := range s.All() {
		x.child.setF64(off+uint64(i), v)
	}
}

// attrs writes attribute map m into map column c, and the attributes that
// have a materialised column into theirs. The flattened keys and values are
// memoised per column: the resource and scope maps, the same for every
// span or record of a ResourceSpans/ScopeSpans, are converted once.
func (b *chunkBuilder) attrs(c int, m pcommon.Map) {
	if b.memo == nil {
		b.memo = make([]mapMemo, len(b.layout.specs))
	}
	e := &b.memo[c]
	x := b.cols[c]
	switch {
	case !e.ok || e.m != m:
		e.keys, e.vals = flattenMap(m, e.keys[:0], e.vals[:0])
		e.m, e.ok, e.hashed = m, true, false
	case e.gen == b.gen:
		// The same map, already written in this chunk: copy its entries.
		n := uint64(len(e.keys))
		off := x.list(b.row, n)
		if n > 0 {
			kv, vv := x.child.fields[0], x.child.fields[1]
			kv.copySlots(off, e.off, n)
			vv.copySlots(off, e.off, n)
		}
		if b.layout.mats != nil {
			b.materialize(c, e.keys, e.vals)
		}
		return
	}
	e.off, e.gen = writeMap(x, b.row, e.keys, e.vals), b.gen
	if b.layout.mats != nil {
		b.materialize(c, e.keys, e.vals)
	}
}

// mapMemo is the last map written to a column, flattened, and its
// attrsHash once asked for (attrsHashOf). off is where its entries start
// in the column's child vector of chunk number gen.
type mapMemo struct {
	m          pcommon.Map
	keys, vals []string
	hash       uint64
	off, gen   uint64
	ok, hashed bool
}

// attrsHashOf returns the attrsHash of the map last written to column c.
func (b *chunkBuilder) attrsHashOf(c int) uint64 {
	e := &b.memo[c]
	if !e.hashed {
		e.hash, e.hashed = attrsHash(e.keys, e.vals), true
	}
	return e.hash
}

// tsSeconds stores ns truncated to the second into a TIMESTAMP (µs) column.
func (b *chunkBuilder) tsSeconds(c int, ns int64) {
	b.cols[c].setI64(b.row, ns/int64(time.Second)*int64(time.Second/time.Microsecond))
}

// floats writes v as the list in column c.
func (b *chunkBuilder) floats(c int, v []float64) {
	x := b.cols[c]
	off := x.list(b.row, uint64(len(v)))
	for i, f := range v {
		x.child.setF64(off+uint64(i), f)
	}
}

func setU64s(x *vec, row uint64, s pcommon.UInt64Slice) {
	off := x.list(row, uint64(s.Len()))
	for i, v := range s.All() {
		x.child.setU64(off+uint64(i), v)
	}
}

// setMap writes attribute map m as MAP(VARCHAR, VARCHAR) entry row of x.
func (b *chunkBuilder) setMap(x *vec, row uint64, m pcommon.Map) {
	b.keys, b.vals = flattenMap(m, b.keys[:0], b.vals[:0])
	writeMap(x, row, b.keys, b.vals)
}

// flattenMap appends the entries of m to keys and vals. Values are
// AsString() (JSON for maps and slices, base64 for bytes). Duplicate keys,
// which pdata can carry after decoding a hostile payload and which a
// DuckDB MAP must not hold, keep their first value (pcommon.Map.Get
// semantics).
func flattenMap(m pcommon.Map, keys, vals []string) ([]string, []string) {
	n := m.Len()
	if n == 0 {
		return keys, vals
	}
	var seen map[string]struct{}
	if n > 16 {
		seen = make(map[string]struct{}, n)
	}
	for k, v := range m.All() {
		k = str(k)
		if seen != nil {
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
		} else if slices.Contains(keys, k) {
			continue
		}
		keys = append(keys, k)
		vals = append(vals, valueString(v))
	}
	return keys, vals
}

// smallInts are the decimal forms of 0…1023: integer attributes (status
// codes, ports, counts) would otherwise allocate one string each.
var smallInts = func() (t [1024]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// valueString is v.AsString(), valid UTF-8, without allocating for small
// integers.
func valueString(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeInt {
		if i := v.Int(); i >= 0 && i < int64(len(smallInts)) {
			return smallInts[i]
		}
	}
	return str(v.AsString())
}

// writeMap writes keys and vals as the MAP entry row of x and returns
// the position of its first entry in x.child.
func writeMap(x *vec, row uint64, keys, vals []string) uint64 {
	off := x.list(row, uint64(len(keys)))
	if len(keys) == 0 {
		return off
	}
	kv, vv := x.child.fields[0], x.child.fields[1]
	for i := range keys {
		kv.setKey(off+uint64(i), keys[i])
		vv.setStr(off+uint64(i), vals[i])
	}
	return off
}
