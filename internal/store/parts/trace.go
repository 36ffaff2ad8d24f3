package parts

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/overlook-dev/overlook/internal/store"
)

// TraceSpans returns every span of traceID (32 hex characters, any case;
// anything else is an error wrapping store.ErrInvalidArgument), in no
// particular order, read in Go without DuckDB:
//
//   - the head and the parts cut but not yet written are decoded from
//     memory (no cut: a lookup during ingest does not wait for a part
//     write, unlike Snapshot);
//   - of the published parts, those whose index (TraceId bloom filter)
//     may hold the trace are read with parquet-go: in each row group the
//     TraceId column index (min/max per page) picks the pages, only those
//     TraceId pages are decoded to find the trace's rows, and only those
//     rows are assembled (every other column read from the page holding
//     them, found through the offset index).
//
// Memory, pending parts and published parts are taken under one lock, so
// every acknowledged row is seen exactly once. The rows returned own
// their memory.
func (t *Table) TraceSpans(ctx context.Context, traceID string) ([]SpanRow, error) {
	if t.cfg.Kind != Traces {
		return nil, fmt.Errorf("parts: TraceSpans on a %s table", t.cfg.Kind)
	}
	var id [16]byte
	if len(traceID) != 32 {
		return nil, fmt.Errorf("%w: trace ID %q is not 32 hex characters", store.ErrInvalidArgument, traceID)
	}
	if _, err := hex.Decode(id[:], []byte(traceID)); err != nil {
		return nil, fmt.Errorf("%w: trace ID %q is not 32 hex characters", store.ErrInvalidArgument, traceID)
	}
	if id == ([16]byte{}) {
		return nil, nil // the all-zero ID is stored as "no trace": no span has it
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, store.ErrClosed
	}
	var out []SpanRow
	var err error
	bufs := make([]*partBuf, 0, len(t.pending)+1)
	if t.head != nil {
		bufs = append(bufs, t.head)
	}
	for _, j := range t.pending {
		bufs = append(bufs, j.rows)
	}
	for _, b := range bufs {
		if out, err = b.traceSpans(id, out); err != nil {
			t.mu.Unlock()
			return nil, fmt.Errorf("trace %s: buffered rows: %w", traceID, err)
		}
	}
	sn := &Snapshot{t: t}
	for _, p := range t.parts {
		if p.meta.MayContain(traceID) {
			p.refs++
			sn.parts = append(sn.parts, p)
			sn.Metas = append(sn.Metas, p.meta)
		}
	}
	t.mu.Unlock()
	defer sn.Release()
	for _, m := range sn.Metas {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if out, err = t.files.trace(filepath.Join(t.cfg.Dir, m.File()), m, id, out); err != nil {
			return nil, fmt.Errorf("trace %s: %w", traceID, err)
		}
	}
	return out, nil
}

// traceSpans appends the spans of id held by p, decoded and cloned (p's
// chunks are freed once its part is written). The caller holds t.mu.
func (p *partBuf) traceSpans(id [16]byte, out []SpanRow) ([]SpanRow, error) {
	var d *decoder
	for i := range p.rows {
		if p.rows[i].tid != id {
			continue
		}
		if d == nil {
			d = newDecoder(p, Traces)
		}
		var r SpanRow
		if err := d.span(p.rows[i], &r); err != nil {
			return out, err
		}
		out = append(out, r.clone())
	}
	return out, nil
}

// clone is a deep copy of r: its strings and byte slices may point into
// a part's chunks or parquet-go's buffers.
func (r SpanRow) clone() SpanRow {
	c := r
	c.TraceId, c.SpanId, c.ParentSpanId = bytes.Clone(r.TraceId), bytes.Clone(r.SpanId), bytes.Clone(r.ParentSpanId)
	c.TraceState, c.SpanName, c.SpanKind = strings.Clone(r.TraceState), strings.Clone(r.SpanName), strings.Clone(r.SpanKind)
	c.ServiceName, c.ScopeName, c.ScopeVersion = strings.Clone(r.ServiceName), strings.Clone(r.ScopeName), strings.Clone(r.ScopeVersion)
	c.StatusCode, c.StatusMessage = strings.Clone(r.StatusCode), strings.Clone(r.StatusMessage)
	c.ResourceSchemaUrl, c.ScopeSchemaUrl = strings.Clone(r.ResourceSchemaUrl), strings.Clone(r.ScopeSchemaUrl)
	c.ResourceAttributes, c.SpanAttributes, c.ScopeAttributes = r.ResourceAttributes.clone(), r.SpanAttributes.clone(), r.ScopeAttributes.clone()
	c.Events = nil
	for _, e := range r.Events {
		c.Events = append(c.Events, Event{Timestamp: e.Timestamp, Name: strings.Clone(e.Name),
			Attributes: e.Attributes.clone(), DroppedAttributesCount: e.DroppedAttributesCount})
	}
	c.Links = nil
	for _, l := range r.Links {
		c.Links = append(c.Links, Link{TraceId: bytes.Clone(l.TraceId), SpanId: bytes.Clone(l.SpanId),
			TraceState: strings.Clone(l.TraceState), Attributes: l.Attributes.clone(),
			DroppedAttributesCount: l.DroppedAttributesCount, Flags: l.Flags})
	}
	return c
}

func (kv KV) clone() KV {
	c := KV{Keys: make([]string, len(kv.Keys)), Values: make([]string, len(kv.Values))}
	for i, k := range kv.Keys {
		c.Keys[i] = strings.Clone(k)
	}
	for i, v := range kv.Values {
		c.Values[i] = strings.Clone(v)
	}
	return c
}

// trace appends the spans of id in the part file at path, whose index
// is m: only the row groups whose filter (m.RowGroupBlooms) may hold id
// are read, by the direct reader from the part's lookup index
// (trace_index.go), or where it declines (or is off) by parquet-go from
// the cached open file.
func (o *openFiles) trace(path string, m *PartMeta, id [16]byte, out []SpanRow) (_ []SpanRow, err error) {
	var ix *partIndex
	if !o.noDirect.Load() {
		if ix, err = o.index(path); err != nil {
			return out, err
		}
		if !ix.direct {
			ix = nil
		}
	}
	var fh *os.File // for the direct reader: opened by the first row group it reads
	var f *openFile // for parquet-go: opened by the first row group it reads
	defer func() {
		if fh != nil {
			err = errors.Join(err, fh.Close())
		}
		if f != nil {
			err = errors.Join(err, o.release(f))
		}
	}()
	groups := 0
	if ix != nil {
		groups = len(ix.groups)
	} else {
		if f, err = o.get(path); err != nil {
			return out, err
		}
		groups = len(f.pf.RowGroups())
	}
	for i := range groups {
		if !m.RowGroupMayContain(i, groups, id) {
			continue
		}
		o.groupsRead.Add(1)
		if ix != nil && ix.groups[i].ok {
			if fh == nil {
				if fh, err = os.Open(path); err != nil {
					return out, fmt.Errorf("open part: %w", err)
				}
			}
			// Where the direct reader declines, parquet-go reads the
			// row group below.
			n := len(out)
			got, derr := directTraceGroup(&ix.groups[i], fh, id[:], out, !o.serial.Load())
			if derr == nil {
				directStats.groups.Add(1)
				out = got
				continue
			}
			out = out[:n]
		}
		if ix != nil {
			directStats.declined.Add(1)
		}
		if f == nil {
			if f, err = o.get(path); err != nil {
				return out, err
			}
		}
		rgs := f.pf.RowGroups()
		if len(rgs) != groups {
			return out, fmt.Errorf("part %s: %d row groups, its index %d", filepath.Base(path), len(rgs), groups)
		}
		rows, err := traceRowsOf(rgs[i], f.traceCol, id[:])
		if err != nil {
			return out, fmt.Errorf("part %s: %w", filepath.Base(path), err)
		}
		if out, err = readRows(rgs[i], rows, out, !o.serial.Load()); err != nil {
			return out, fmt.Errorf("part %s: %w", filepath.Base(path), err)
		}
	}
	return out, nil
}

// rawIDPages counts the TraceId pages searched without decoding values
// (tests: a lookup takes that path).
var rawIDPages atomic.Int64

// traceRowsOf returns the row numbers (ascending) of rg whose TraceId is
// id: only the pages whose min/max (column index) hold id are decoded.
// Row groups are sorted by TraceId, or (merged small row groups) made of
// sorted runs; neither is assumed.
func traceRowsOf(rg parquet.RowGroup, col int, id []byte) ([]int64, error) {
	cc := rg.ColumnChunks()[col]
	var pick []int // candidate pages; nil with no page index: every page
	all := true
	ci, cerr := cc.ColumnIndex()
	oi, oerr := cc.OffsetIndex()
	if cerr == nil && oerr == nil && ci.NumPages() == oi.NumPages() {
		all = false
		for pg := range ci.NumPages() {
			if ci.NullPage(pg) || bytes.Compare(ci.MinValue(pg).ByteArray(), id) > 0 ||
				bytes.Compare(ci.MaxValue(pg).ByteArray(), id) < 0 {
				continue
			}
			pick = append(pick, pg)
		}
		if len(pick) == 0 {
			return nil, nil
		}
	}
	pages := cc.Pages()
	defer pages.Close()
	var rows []int64
	var vals []parquet.Value
	// scan decodes the next page, whose first row is first, and returns
	// its row count (0 at the end).
	scan := func(first int64) (int, error) {
		p, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("read a TraceId page: %w", err)
		}
		defer parquet.Release(p)
		n := int(p.NumValues())
		// A plain page of a required column: compare the IDs where they
		// lie, without a parquet.Value per row (≈ 16k per page).
		if data := p.Data(); data.Kind() == encoding.ByteArray && p.NumNulls() == 0 && p.NumRows() == int64(n) {
			if b, offs := data.ByteArray(); len(offs) == n+1 {
				for i := range n {
					if bytes.Equal(b[offs[i]:offs[i+1]], id) {
						rows = append(rows, first+int64(i))
					}
				}
				rawIDPages.Add(1)
				return n, nil
			}
		}
		if cap(vals) < n {
			vals = make([]parquet.Value, n)
		}
		vals = vals[:n]
		got, err := p.Values().ReadValues(vals)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("read TraceId values: %w", err)
		}
		if got != n {
			return 0, fmt.Errorf("read TraceId values: %d of %d", got, n)
		}
		for i := range vals {
			if bytes.Equal(vals[i].ByteArray(), id) {
				rows = append(rows, first+int64(i))
			}
		}
		return n, nil
	}
	if all {
		// No page index (not written by overlook): read every page. TraceId
		// is a flat column: one value per row.
		for first := int64(0); ; {
			n, err := scan(first)
			if err != nil || n == 0 {
				return rows, err
			}
			first += int64(n)
		}
	}
	for _, pg := range pick {
		first := oi.FirstRowIndex(pg)
		if err := pages.SeekToRow(first); err != nil {
			return nil, fmt.Errorf("seek TraceId page %d: %w", pg, err)
		}
		if _, err := scan(first); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// readRows appends rows (ascending row numbers of rg) to out, assembling
// each run of consecutive rows with one seek. With parallel, the page of
// every column holding the first row is decoded up front on up to
// GOMAXPROCS goroutines (trace_prefetch.go); without, parquet-go's row
// reader decodes the columns one after the other (tests compare both).
func readRows(rg parquet.RowGroup, rows []int64, out []SpanRow, parallel bool) (_ []SpanRow, err error) {
	if len(rows) == 0 {
		return out, nil
	}
	// Every column seeks through its offset index (parquet-go reads a
	// chunk from its start when the index is not loaded): prefetch loads
	// them in parallel.
	src := rg
	if parallel {
		pg, err := prefetch(rg, rows[0])
		if err != nil {
			return out, err
		}
		defer pg.release()
		src = pg
	} else {
		for _, cc := range rg.ColumnChunks() {
			if _, err := cc.OffsetIndex(); err != nil {
				return out, fmt.Errorf("offset index: %w", err)
			}
		}
	}
	r := parquet.NewGenericRowGroupReader[SpanRow](src)
	defer func() {
		if cerr := r.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close row reader: %w", cerr))
		}
	}()
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j] == rows[j-1]+1 {
			j++
		}
		if err := r.SeekToRow(rows[i]); err != nil {
			return out, fmt.Errorf("seek row %d: %w", rows[i], err)
		}
		buf := make([]SpanRow, j-i) // fresh: the reader may reuse a row's slices
		for got := 0; got < len(buf); {
			n, err := r.Read(buf[got:])
			got += n
			if got < len(buf) && (err != nil || n == 0) {
				if err == nil || errors.Is(err, io.EOF) {
					err = io.ErrUnexpectedEOF
				}
				return out, fmt.Errorf("read rows %d-%d: %w", rows[i], rows[j-1], err)
			}
		}
		for k := range buf {
			out = append(out, buf[k].clone())
		}
		i = j
	}
	return out, nil
}

// openFiles keeps up to max part files open with their footers parsed
// (page indexes read on first use and kept), least recently used first
// out, so that a lookup usually pays neither an open nor a footer read.
// An open 50k-span part holds ≈ 180 KB of Go heap (≈ 235 KB with its
// page indexes loaded): the bound, not the number of parts, sets the
// memory.
type openFiles struct {
	// groupsRead counts the row groups whose TraceId pages a lookup
	// searched (tests: the row-group filters keep it at one per trace).
	groupsRead atomic.Int64
	// serial turns off the parallel page decode of readRows and of the
	// direct reader (tests and benchmarks compare both on the same parts).
	serial atomic.Bool
	// noDirect turns off the direct reader (trace_direct.go): every row
	// group is read by parquet-go (tests and benchmarks compare both).
	noDirect atomic.Bool

	mu    sync.Mutex
	max   int
	files map[string]*openFile
	tick  uint64
	// indexes are the parts' lookup indexes (trace_index.go), up to
	// maxIndexBytes of them.
	indexes       map[string]*partIndex
	indexBytes    int64
	maxIndexBytes int64
	closed        bool
}

type openFile struct {
	f        *os.File
	pf       *parquet.File
	traceCol int
	direct   bool   // the direct reader can read it (directReadable)
	used     uint64 // openFiles.tick at the last get
	refs     int    // lookups using it
	evicted  bool   // closed when refs drops to 0
}

// maxOpenFiles bounds the part files kept open for trace lookups.
const maxOpenFiles = 64

func newOpenFiles(n int) *openFiles {
	return &openFiles{max: n, files: map[string]*openFile{}, indexes: map[string]*partIndex{}, maxIndexBytes: maxIndexBytes}
}

// get returns the open part file at path; call release when done.
func (o *openFiles) get(path string) (*openFile, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tick++
	if f, ok := o.files[path]; ok {
		f.used, f.refs = o.tick, f.refs+1
		return f, nil
	}
	f, err := openPart(path)
	if err != nil {
		return nil, err
	}
	if len(o.files) >= o.max {
		var oldest string
		for k, q := range o.files {
			if oldest == "" || q.used < o.files[oldest].used {
				oldest = k
			}
		}
		_ = o.evictLocked(oldest) // a read-only descriptor: nothing to lose
	}
	f.used, f.refs = o.tick, 1
	o.files[path] = f
	return f, nil
}

// evictLocked drops path from the cache, closing it unless a lookup
// still uses it (then release closes it).
func (o *openFiles) evictLocked(path string) error {
	f, ok := o.files[path]
	if !ok {
		return nil
	}
	delete(o.files, path)
	f.evicted = true
	if f.refs == 0 {
		return f.f.Close()
	}
	return nil
}

// forget closes the cached file of a part being deleted (its disk space
// is freed only when the last descriptor is closed).
func (o *openFiles) forget(path string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if ix, ok := o.indexes[path]; ok {
		o.indexBytes -= ix.bytes
		delete(o.indexes, path)
	}
	_ = o.evictLocked(path) // read-only descriptor
}

func (o *openFiles) release(f *openFile) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	f.refs--
	if f.refs == 0 && f.evicted {
		if err := f.f.Close(); err != nil {
			return fmt.Errorf("close part: %w", err)
		}
	}
	return nil
}

// close closes every cached file (those in use when released).
func (o *openFiles) close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.closed = true
	o.indexes, o.indexBytes = map[string]*partIndex{}, 0
	var errs []error
	for p := range o.files {
		errs = append(errs, o.evictLocked(p))
	}
	return errors.Join(errs...)
}
