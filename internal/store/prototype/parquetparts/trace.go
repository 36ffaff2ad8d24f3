package parquetparts

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/parquet-go/parquet-go"
)

// readers keeps up to max parts open with their footers parsed (page
// indexes are read on first use and kept), least recently used first
// out, so that a lookup usually pays neither an open nor a footer read.
// An open 50k-span part holds ≈ 180 KB of Go heap (235 KB with every
// page index loaded), so the bound, not the number of parts, sets the
// memory.
type readers struct {
	mu    sync.Mutex
	max   int
	parts map[string]*openPart
	tick  uint64
}

type openPart struct {
	f        *os.File
	pf       *parquet.File
	traceCol int
	used     uint64 // readers.tick at the last get
	refs     int    // lookups using it
	evicted  bool   // closed when refs drops to 0
}

// get returns the open part at path; call release when done with it,
// also when get returns an error with a part (closing an evicted part
// failed).
func (r *readers) get(path string) (*openPart, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tick++
	if p, ok := r.parts[path]; ok {
		p.used, p.refs = r.tick, p.refs+1
		return p, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open part: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open part: %w", err)
	}
	pf, err := parquet.OpenFile(f, fi.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open part %s: %w", path, err)
	}
	leaf, ok := pf.Schema().Lookup("TraceId")
	if !ok {
		f.Close()
		return nil, fmt.Errorf("part %s has no TraceId column", path)
	}
	if r.parts == nil {
		r.parts = map[string]*openPart{}
	}
	if lim := cmp.Or(r.max, defaultOpenParts); len(r.parts) >= lim {
		var oldest string
		for k, q := range r.parts {
			if oldest == "" || q.used < r.parts[oldest].used {
				oldest = k
			}
		}
		q := r.parts[oldest]
		delete(r.parts, oldest)
		q.evicted = true
		if q.refs == 0 {
			err = q.f.Close()
		}
	}
	p := &openPart{f: f, pf: pf, traceCol: leaf.ColumnIndex, used: r.tick, refs: 1}
	r.parts[path] = p
	if err != nil {
		err = fmt.Errorf("close evicted part: %w", err)
	}
	return p, err
}

func (r *readers) release(p *openPart) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p.refs--
	if p.refs == 0 && p.evicted {
		return p.f.Close()
	}
	return nil
}

// defaultOpenParts bounds the open parts (Config.OpenParts).
const defaultOpenParts = 64

func (r *readers) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var err error
	for _, p := range r.parts {
		if p.refs == 0 {
			err = errors.Join(err, p.f.Close())
		}
		p.evicted = true
	}
	r.parts = nil
	return err
}

// Trace returns the spans of traceID (hex) read directly from the parts
// with parquet-go: the part index's bloom filter picks the files, the
// TraceId column's page index (min/max per page, parts sorted by
// TraceId) picks the pages, and the reader seeks to the first candidate
// row and stops at the first row past the trace. In a part sorted by
// service it still works, reading every page whose range holds the ID.
func (s *Store) Trace(traceID string) ([]SpanRow, error) {
	id, err := hex.DecodeString(traceID)
	if err != nil || len(id) != 16 {
		return nil, fmt.Errorf("trace ID %q: want 32 hex digits", traceID)
	}
	var out []SpanRow
	for _, m := range s.Parts() {
		if !m.MayContain(traceID) {
			continue
		}
		p, err := s.readers.get(filepath.Join(s.cfg.Dir, m.File))
		if err != nil {
			if p != nil {
				err = errors.Join(err, s.readers.release(p))
			}
			return nil, err
		}
		out, err = p.trace(id, out, s.cfg.Order == ByTraceID)
		if err = errors.Join(err, s.readers.release(p)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *openPart) trace(id []byte, out []SpanRow, sorted bool) ([]SpanRow, error) {
	for _, rg := range p.pf.RowGroups() {
		cc := rg.ColumnChunks()[p.traceCol]
		ci, err := cc.ColumnIndex()
		if err != nil {
			return nil, fmt.Errorf("TraceId column index: %w", err)
		}
		oi, err := cc.OffsetIndex()
		if err != nil {
			return nil, fmt.Errorf("TraceId offset index: %w", err)
		}
		for pg := 0; pg < ci.NumPages(); pg++ {
			if ci.NullPage(pg) || bytes.Compare(ci.MinValue(pg).ByteArray(), id) > 0 ||
				bytes.Compare(ci.MaxValue(pg).ByteArray(), id) < 0 {
				continue
			}
			first := oi.FirstRowIndex(pg)
			last := rg.NumRows()
			if pg+1 < oi.NumPages() {
				last = oi.FirstRowIndex(pg + 1)
			}
			if sorted {
				// Find the trace's first row in the TraceId page alone,
				// so that whole rows are assembled only for the trace.
				at, ok, err := firstRowOf(cc, first, id)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
				first = at
			}
			var done bool
			if out, done, err = readRange(rg, first, last, id, out, sorted); err != nil {
				return nil, err
			}
			if done {
				break
			}
		}
	}
	return out, nil
}

// readRange reads rows [first, last) of rg and keeps those of id. With
// sorted rows it reads on past last while the trace continues (a trace
// may span pages) and reports done at the first row after it.
func readRange(rg parquet.RowGroup, first, last int64, id []byte, out []SpanRow, sorted bool) (_ []SpanRow, _ bool, err error) {
	r := parquet.NewGenericRowGroupReader[SpanRow](rg)
	defer func() {
		if cerr := r.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close row reader: %w", cerr))
		}
	}()
	if err := r.SeekToRow(first); err != nil {
		return out, false, fmt.Errorf("seek row %d: %w", first, err)
	}
	end := rg.NumRows()
	if !sorted {
		end = last
	}
	for at := first; at < end; {
		buf := make([]SpanRow, min(64, end-at)) // fresh: the reader may reuse a row's slices
		n, err := r.Read(buf)
		for i := range buf[:n] {
			c := bytes.Compare(buf[i].TraceId, id)
			if c == 0 {
				out = append(out, buf[i])
			} else if sorted && c > 0 {
				return out, true, nil
			}
		}
		at += int64(n)
		if errors.Is(err, io.EOF) || n == 0 {
			return out, false, nil
		}
		if err != nil {
			return out, false, fmt.Errorf("read rows: %w", err)
		}
	}
	return out, false, nil
}

// firstRowOf returns the row index of id's first value in the page of
// the TraceId column chunk cc that starts at row first.
func firstRowOf(cc parquet.ColumnChunk, first int64, id []byte) (_ int64, _ bool, err error) {
	pages := cc.Pages()
	defer func() {
		if cerr := pages.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close TraceId pages: %w", cerr))
		}
	}()
	if err := pages.SeekToRow(first); err != nil {
		return 0, false, fmt.Errorf("seek TraceId page: %w", err)
	}
	p, err := pages.ReadPage()
	if err != nil {
		return 0, false, fmt.Errorf("read TraceId page: %w", err)
	}
	defer parquet.Release(p)
	vals := make([]parquet.Value, p.NumValues())
	n, err := p.Values().ReadValues(vals)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, false, fmt.Errorf("read TraceId values: %w", err)
	}
	vals = vals[:n]
	for i, v := range vals {
		if c := bytes.Compare(v.ByteArray(), id); c == 0 {
			return first + int64(i), true, nil
		} else if c > 0 {
			break
		}
	}
	return 0, false, nil
}
