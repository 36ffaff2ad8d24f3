package duckdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// This file reads query results vector by vector through DuckDB's C API,
// for the metric reads that return millions of (series, time, value) rows:
// database/sql converts every value to an interface (and every MAP to a Go
// map), ≈ 10× slower than reading the vectors' memory directly.
//
// Vector layouts read (little-endian, see chunk.go for the writing side):
// fixed-width arrays of the C type; VARCHAR as 16-byte duckdb_string_t
// (length, then ≤ 12 inlined bytes, or a 4-byte prefix and a pointer);
// LIST as 16-byte (offset, length) entries into a child vector; MAP as a
// LIST of STRUCT(key, value); STRUCT as one child vector per field.

// rawRead calls fn with a reader on a fresh C-API connection, inside one
// read-only transaction: every statement fn runs sees the same snapshot.
// Cancelling ctx interrupts the running statement.
func (s *Store) rawRead(ctx context.Context, fn func(r *rawReader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := openRaw(s.path)
	if err != nil {
		return fmt.Errorf("connect reader: %w", err)
	}
	defer c.close()
	stop := context.AfterFunc(ctx, func() { bindings.Interrupt(c.conn) })
	defer stop()
	if err := c.exec("BEGIN TRANSACTION READ ONLY"); err != nil {
		return withCtx(ctx, fmt.Errorf("begin read: %w", err))
	}
	r := &rawReader{c: c, ctx: ctx}
	err = fn(r)
	if cerr := c.exec("COMMIT"); cerr != nil && err == nil {
		err = fmt.Errorf("end read: %w", cerr)
	}
	return withCtx(ctx, err)
}

// withCtx makes an error caused by an interrupt wrap ctx's error.
func withCtx(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return err
}

// rawReader runs statements on one connection.
type rawReader struct {
	c   *rawConn
	ctx context.Context
}

// query prepares q, binds args (string, int64, float64, bool, time.Time as
// TIMESTAMP_NS) and hands every result chunk to fn.
func (r *rawReader) query(q string, args []any, fn func(ch *rawChunk) error) error {
	var st bindings.PreparedStatement
	if bindings.Prepare(r.c.conn, q, &st) == bindings.StateError {
		msg := bindings.PrepareError(st)
		bindings.DestroyPrepare(&st)
		return fmt.Errorf("prepare: %s", msg)
	}
	defer bindings.DestroyPrepare(&st)
	for i, a := range args {
		if err := bind(st, bindings.IdxT(i+1), a); err != nil {
			return err
		}
	}
	var res bindings.Result
	state := bindings.ExecutePreparedStreaming(st, &res)
	defer bindings.DestroyResult(&res)
	if state == bindings.StateError {
		return errors.New(bindings.ResultError(&res))
	}
	for {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		dc := bindings.FetchChunk(res)
		if dc.Ptr == nil {
			if msg := bindings.ResultError(&res); msg != "" {
				return errors.New(msg)
			}
			return nil
		}
		ch := &rawChunk{dc: dc, n: int(bindings.DataChunkGetSize(dc))}
		err := fn(ch)
		bindings.DestroyDataChunk(&dc)
		if err != nil {
			return err
		}
	}
}

func bind(st bindings.PreparedStatement, i bindings.IdxT, a any) error {
	var state bindings.State
	switch v := a.(type) {
	case string:
		state = bindings.BindVarchar(st, i, v)
	case int64:
		state = bindings.BindInt64(st, i, v)
	case float64:
		state = bindings.BindDouble(st, i, v)
	case bool:
		state = bindings.BindBoolean(st, i, v)
	case time.Time:
		val := bindings.CreateTimestampNS(bindings.NewTimestampNS(v.UnixNano()))
		state = bindings.BindValue(st, i, val)
		bindings.DestroyValue(&val)
	default:
		return fmt.Errorf("BUG: cannot bind %T", a)
	}
	if state == bindings.StateError {
		return fmt.Errorf("bind parameter %d (%T): %s", i, a, bindings.PrepareError(st))
	}
	return nil
}

// rawChunk is one result chunk; its vectors live until fn returns.
type rawChunk struct {
	dc bindings.DataChunk
	n  int
}

func (c *rawChunk) vec(col int) bindings.Vector {
	return bindings.DataChunkGetVector(c.dc, bindings.IdxT(col))
}

// fixed returns the n values of a fixed-width vector as a slice of T,
// without copying: valid until the chunk is destroyed.
func fixed[T any](v bindings.Vector, n int) []T {
	p := bindings.VectorGetData(v)
	if p == nil || n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(p), n)
}

// validity is a vector's NULL mask (nil: no NULLs).
type validity struct{ mask unsafe.Pointer }

func validOf(v bindings.Vector) validity { return validity{bindings.VectorGetValidity(v)} }

// ok reports whether row is not NULL. The mask is DuckDB's validity
// array, one bit per row in uint64 words (bit set: valid), read here as
// duckdb_validity_row_is_valid does, without a cgo call per row.
func (m validity) ok(row int) bool {
	if m.mask == nil {
		return true
	}
	w := *(*uint64)(unsafe.Add(m.mask, row/64*8))
	return w&(1<<(row%64)) != 0
}

// duckString reads element row of a VARCHAR vector's data (copied).
func duckString(data unsafe.Pointer, row int) string {
	p := unsafe.Add(data, row*16)
	n := int(*(*uint32)(p))
	if n <= 12 {
		return strings.Clone(unsafe.String((*byte)(unsafe.Add(p, 4)), n))
	}
	ptr := *(*unsafe.Pointer)(unsafe.Add(p, 8))
	return strings.Clone(unsafe.String((*byte)(ptr), n))
}

// stringAt reads row of a VARCHAR vector ("" for NULL).
func stringAt(v bindings.Vector, row int) string {
	if !validOf(v).ok(row) {
		return ""
	}
	return duckString(bindings.VectorGetData(v), row)
}

// stringCol is a VARCHAR vector of one chunk, its data and NULL mask
// fetched once (a cgo call each) for reading many rows.
type stringCol struct {
	data  unsafe.Pointer
	valid validity
}

func stringColOf(v bindings.Vector) stringCol {
	return stringCol{bindings.VectorGetData(v), validOf(v)}
}

// at reads row ("" for NULL).
func (c stringCol) at(row int) string {
	if !c.valid.ok(row) {
		return ""
	}
	return duckString(c.data, row)
}

// mapCol is a MAP(VARCHAR, VARCHAR) vector of one chunk, its entries, keys
// and values fetched once for reading many rows.
type mapCol struct {
	entries    unsafe.Pointer
	valid      validity
	keys, vals stringCol
}

func mapColOf(v bindings.Vector) mapCol {
	child := bindings.ListVectorGetChild(v)
	return mapCol{entries: bindings.VectorGetData(v), valid: validOf(v),
		keys: stringColOf(bindings.StructVectorGetChild(child, 0)), vals: stringColOf(bindings.StructVectorGetChild(child, 1))}
}

// at reads row (an empty map for NULL).
func (c mapCol) at(row int) map[string]string {
	if !c.valid.ok(row) {
		return map[string]string{}
	}
	e := *(*listEntry)(unsafe.Add(c.entries, row*16))
	out := make(map[string]string, e.n)
	for i := int(e.off); i < int(e.off+e.n); i++ {
		out[duckString(c.keys.data, i)] = c.vals.at(i)
	}
	return out
}

// listEntry is duckdb_list_entry.
type listEntry struct{ off, n uint64 }

// mapAt reads row of a MAP(VARCHAR, VARCHAR) vector.
func mapAt(v bindings.Vector, row int) map[string]string {
	if !validOf(v).ok(row) {
		return map[string]string{}
	}
	e := *(*listEntry)(unsafe.Add(bindings.VectorGetData(v), row*16))
	out := make(map[string]string, e.n)
	if e.n == 0 {
		return out
	}
	child := bindings.ListVectorGetChild(v)
	keys := bindings.VectorGetData(bindings.StructVectorGetChild(child, 0))
	vv := bindings.StructVectorGetChild(child, 1)
	vals, vm := bindings.VectorGetData(vv), validOf(vv)
	for i := e.off; i < e.off+e.n; i++ {
		val := ""
		if vm.ok(int(i)) {
			val = duckString(vals, int(i))
		}
		out[duckString(keys, int(i))] = val
	}
	return out
}

// listAt reads row of a LIST vector of 8-byte values (UBIGINT, DOUBLE).
func listAt[T any](v bindings.Vector, row int) []T {
	if !validOf(v).ok(row) {
		return nil
	}
	e := *(*listEntry)(unsafe.Add(bindings.VectorGetData(v), row*16))
	if e.n == 0 {
		return nil
	}
	data := bindings.VectorGetData(bindings.ListVectorGetChild(v))
	src := unsafe.Slice((*T)(unsafe.Add(data, int(e.off)*int(unsafe.Sizeof(*new(T))))), e.n)
	return append([]T(nil), src...)
}
