package parts

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
)

// The direct trace reader: a trace lookup's rows read from the part
// file's bytes without parquet-go's page and row machinery (issue 10:
// trace by ID p50 ≤ 5 ms at 50M spans). parquet-go decompresses and
// decodes a whole page, and a dictionary column's whole dictionary
// (≈ 2 MB of SpanAttributes.values per row group at 50M spans), into
// buffers its pool mostly misses, to read a few rows: ≈ 7 MB allocated
// and a third of a lookup's CPU spent decoding values no one reads or in
// the collector. This reader decompresses the same pages into reused
// buffers but decodes only the wanted rows' levels and values, resolves
// dictionary indexes by walking the dictionary's lengths, and builds
// SpanRows straight from the values (docs/benchmarks.md, "Issue 10:
// trace by ID at 50M (session 9, h/tbid9)").
//
// It reads the layout overlook writes (the SpanRow schema, v2 data
// pages, zstd or none, the encodings parquet-go picks for it) and
// declines anything else with errMalformed: a part of another layout, a
// damaged page or an I/O error is then read by parquet-go (readRows),
// which reports a real error as before. Bytes on disk are unchanged.

// spanLeaves are the leaf columns of the SpanRow schema, in column order.
var spanLeaves = func() []colSpec {
	s := parquet.SchemaOf(SpanRow{})
	var out []colSpec
	for _, path := range s.Columns() {
		leaf, _ := s.Lookup(path...)
		out = append(out, colSpec{col: leaf.ColumnIndex, kind: kindOf(leaf.Node.Type().Kind()),
			maxRep: uint8(leaf.MaxRepetitionLevel), maxDef: uint8(leaf.MaxDefinitionLevel)})
	}
	return out
}()

func kindOf(k parquet.Kind) leafKind {
	switch k {
	case parquet.Int32:
		return kindInt32
	case parquet.Int64:
		return kindInt64
	case parquet.ByteArray:
		return kindBytes
	}
	return 0
}

// spanCol are the leaf column indexes of SpanRow's fields.
var spanCol = func() (c struct {
	ts, traceID, spanID, parent, traceState, spanName, spanKind, service     int
	resK, resV, scopeName, scopeVersion, spanK, spanV, duration, statusCode  int
	statusMsg, evTs, evName, evK, evV, evDropped                             int
	lkTrace, lkSpan, lkState, lkK, lkV, lkDropped, lkFlags, resURL, scopeURL int
	scopeK, scopeV, traceFlags, dropAttr, dropEv, dropLk, scopeDrop, resDrop int
}) {
	s := parquet.SchemaOf(SpanRow{})
	at := func(path string) int {
		leaf, ok := s.Lookup(strings.Split(path, ".")...)
		if !ok {
			panic("BUG: SpanRow has no column " + path)
		}
		return leaf.ColumnIndex
	}
	kv := func(name string) (int, int) {
		return at(name + ".keys.list.element"), at(name + ".values.list.element")
	}
	c.ts, c.traceID, c.spanID, c.parent = at("Timestamp"), at("TraceId"), at("SpanId"), at("ParentSpanId")
	c.traceState, c.spanName, c.spanKind, c.service = at("TraceState"), at("SpanName"), at("SpanKind"), at("ServiceName")
	c.resK, c.resV = kv("ResourceAttributes")
	c.scopeName, c.scopeVersion = at("ScopeName"), at("ScopeVersion")
	c.spanK, c.spanV = kv("SpanAttributes")
	c.duration, c.statusCode, c.statusMsg = at("Duration"), at("StatusCode"), at("StatusMessage")
	c.evTs, c.evName = at("Events.list.element.Timestamp"), at("Events.list.element.Name")
	c.evK, c.evV = kv("Events.list.element.Attributes")
	c.evDropped = at("Events.list.element.DroppedAttributesCount")
	c.lkTrace, c.lkSpan, c.lkState = at("Links.list.element.TraceId"), at("Links.list.element.SpanId"), at("Links.list.element.TraceState")
	c.lkK, c.lkV = kv("Links.list.element.Attributes")
	c.lkDropped, c.lkFlags = at("Links.list.element.DroppedAttributesCount"), at("Links.list.element.Flags")
	c.resURL, c.scopeURL = at("ResourceSchemaUrl"), at("ScopeSchemaUrl")
	c.scopeK, c.scopeV = kv("ScopeAttributes")
	c.traceFlags, c.dropAttr, c.dropEv = at("TraceFlags"), at("DroppedAttributesCount"), at("DroppedEventsCount")
	c.dropLk, c.scopeDrop, c.resDrop = at("DroppedLinksCount"), at("ScopeDroppedAttrCount"), at("ResourceDroppedAttrCount")
	return c
}()

// directReadable reports whether a part file of schema s can be read by
// the direct reader: exactly SpanRow's leaf columns, in order, with the
// same physical types and levels.
func directReadable(s *parquet.Schema) bool {
	cols := s.Columns()
	if len(cols) != len(spanLeaves) {
		return false
	}
	want := parquet.SchemaOf(SpanRow{})
	for i, path := range cols {
		leaf, ok := s.Lookup(path...)
		wl, wok := want.Lookup(path...)
		if !ok || !wok || leaf.ColumnIndex != i || wl.ColumnIndex != i ||
			leaf.MaxRepetitionLevel != wl.MaxRepetitionLevel || leaf.MaxDefinitionLevel != wl.MaxDefinitionLevel ||
			kindOf(leaf.Node.Type().Kind()) != spanLeaves[i].kind {
			return false
		}
	}
	return true
}

// directStats count what the direct reader did (tests: it reads
// overlook's parts and declines others).
var directStats struct {
	groups   atomic.Int64 // row groups read directly
	declined atomic.Int64 // row groups left to parquet-go
}

// directTrace appends the spans of id in row group g of the part file pf
// (read through r), read by the direct reader (pf's schema must be
// directReadable). Any error (errMalformed: a layout it does not read)
// means the row group must be read by parquet-go instead; out is then
// unchanged. Lookups use directTraceGroup with the part's cached index.
func directTrace(pf *parquet.File, r io.ReaderAt, g int, id []byte, out []SpanRow, parallel bool) ([]SpanRow, error) {
	gi := groupIndexOf(pf.RowGroups()[g], &pf.Metadata().RowGroups[g])
	return directTraceGroup(&gi, r, id, out, parallel)
}

// directTraceGroup appends the spans of id in the row group whose lookup
// index is gi (trace_index.go), read through r; see directTrace.
func directTraceGroup(gi *groupIndex, r io.ReaderAt, id []byte, out []SpanRow, parallel bool) ([]SpanRow, error) {
	if !gi.ok {
		return out, errMalformed
	}
	rows, err := directTraceRows(r, gi, id)
	if err != nil || len(rows) == 0 {
		return out, err
	}
	// The columns, largest dictionary page first (see prefetchOrder).
	order := make([]int, 0, len(gi.cols)-1)
	for c := range gi.cols {
		if c != spanCol.traceID {
			order = append(order, c)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(gi.cols[b].meta.dictBytes(), gi.cols[a].meta.dictBytes()) })
	cols := make([]*colData, len(gi.cols))
	var next atomic.Int64
	var failed atomic.Pointer[error]
	work := func() {
		s := directScratchPool.Get().(*directScratch)
		defer directScratchPool.Put(s)
		for {
			k := int(next.Add(1) - 1)
			if k >= len(order) || failed.Load() != nil {
				return
			}
			c := order[k]
			src := chunkSource{r: r, meta: &gi.cols[c].meta, index: gi.cols[c].index, rows: gi.rows}
			var err error
			if cols[c], err = s.readColumn(&src, spanLeaves[c], rows); err != nil {
				err = fmt.Errorf("column %d: %w", c, err)
				failed.CompareAndSwap(nil, &err)
				return
			}
		}
	}
	n := 1
	if parallel {
		n = min(runtime.GOMAXPROCS(0), len(order))
	}
	var wg sync.WaitGroup
	for range n - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	if errp := failed.Load(); errp != nil {
		return out, *errp
	}
	return assembleSpans(cols, len(rows), id, out)
}

// directTraceRows returns the rows (ascending) of the row group whose
// TraceId is id, decoding only the TraceId pages whose min/max (column
// index) hold it.
func directTraceRows(r io.ReaderAt, gi *groupIndex, id []byte) ([]int64, error) {
	ci, oi, meta := gi.traceIdx, gi.cols[spanCol.traceID].index, &gi.cols[spanCol.traceID].meta
	if ci.NumPages() != oi.NumPages() {
		return nil, errMalformed
	}
	zstdPages, err := codecOf(meta)
	if err != nil {
		return nil, err
	}
	s := directScratchPool.Get().(*directScratch)
	defer directScratchPool.Put(s)
	src := chunkSource{r: r, meta: meta, index: oi, rows: gi.rows}
	var rows []int64
	for pg := range ci.NumPages() {
		if ci.NullPage(pg) || bytes.Compare(ci.MinValue(pg).ByteArray(), id) > 0 ||
			bytes.Compare(ci.MaxValue(pg).ByteArray(), id) < 0 {
			continue
		}
		first := oi.FirstRowIndex(pg)
		if rows, err = s.searchIDPage(&src, pg, first, zstdPages, id, rows); err != nil {
			return nil, fmt.Errorf("TraceId page %d: %w", pg, err)
		}
	}
	return rows, nil
}

// searchIDPage appends the rows of TraceId page pg (whose first row is
// first) that hold id.
func (s *directScratch) searchIDPage(src *chunkSource, pg int, first int64, zstdPages bool, id []byte, rows []int64) ([]int64, error) {
	h, body, err := s.readPage(src, src.index.Offset(pg), src.index.CompressedPageSize(pg))
	if err != nil {
		return nil, err
	}
	if h.typ != pageDataV2 || !h.hasV2 || h.numNulls != 0 || h.repLen != 0 || h.defLen != 0 || h.numValues != h.numRows {
		return nil, errMalformed
	}
	lp, err := s.values(body, zstdPages && h.compressedV2, int(h.uncompressed), false)
	if err != nil {
		return nil, err
	}
	if err := lp.need(len(lp.b)); err != nil {
		return nil, err
	}
	body = lp.b
	n := int(h.numValues)
	switch h.encoding {
	case encDeltaLength:
		lensEnd, total, l, isConst, err := deltaEnd(lp)
		if err != nil {
			return nil, err
		}
		if total != n {
			return nil, errMalformed
		}
		data := body[lensEnd:]
		if isConst && l == int64(len(id)) && len(data) == n*len(id) {
			// Every ID of the page has the ID's length (as overlook
			// writes them): compared in place.
			for i := range n {
				if bytes.Equal(data[i*len(id):(i+1)*len(id)], id) {
					rows = append(rows, first+int64(i))
				}
			}
			return rows, nil
		}
		lens, err := newDeltaInts(lp, 0, true)
		if err != nil {
			return nil, err
		}
		off := int64(0)
		for i := range n {
			l, err := lens.next()
			if err != nil {
				return nil, err
			}
			if l < 0 || off+l > int64(len(data)) {
				return nil, errMalformed
			}
			if bytes.Equal(data[off:off+l], id) {
				rows = append(rows, first+int64(i))
			}
			off += l
		}
		return rows, nil
	case encPlain:
		var d colData
		if err := plainValues(lp, kindBytes, n, []valueRange{{0, n}}, &d); err != nil {
			return nil, err
		}
		for i := range n {
			if bytes.Equal(d.arena[d.offs[2*i]:d.offs[2*i+1]], id) {
				rows = append(rows, first+int64(i))
			}
		}
		return rows, nil
	}
	return nil, fmt.Errorf("TraceId encoding %d: %w", h.encoding, errMalformed)
}
