package parts

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// A part's lookup index: what the direct reader (trace_direct.go) needs
// of a part file, kept for every part instead of the whole decoded
// footer. Opening a 50M-span store's part (≈ 470k spans, 7 row groups)
// decodes a footer of ≈ 420 column chunks with their statistics, and a
// row group's first lookup loads its 61 page indexes: on a fresh server,
// or for a part the 64-file cache had evicted, that was most of the
// difference between a lookup's first time and later ones (docs/
// benchmarks.md, "Issue 10: trace by ID on a fresh server (session 10,
// h/tbid10)"). A partIndex holds per row group its row count, the
// TraceId column index, and per column chunk its codec, page offsets
// and offset index: a few KB per row group, so every part's is kept
// (bounded by maxIndexBytes), built by the first lookup of the part or
// by the warm-up that a Table starts at Open.

// partIndex is a part file's lookup index.
type partIndex struct {
	direct bool // the direct reader can read the file (directReadable)
	groups []groupIndex
	bytes  int64 // heap held, estimated
	used   uint64
}

// groupIndex is a row group's lookup index. ok is false when a page
// index could not be loaded: the row group is then read by parquet-go,
// which reports the error.
type groupIndex struct {
	ok       bool
	rows     int64
	traceIdx parquet.ColumnIndex // of TraceId
	cols     []chunkIndex
}

// chunkIndex is a column chunk's lookup index.
type chunkIndex struct {
	meta  chunkMeta
	index parquet.OffsetIndex
}

// chunkMeta is the part of a column chunk's metadata the direct reader
// reads.
type chunkMeta struct {
	codec                 format.CompressionCodec
	dictOffset, dataStart int64 // DictionaryPageOffset, DataPageOffset
}

// dictBytes is the size of the chunk's dictionary page (0: none).
func (m *chunkMeta) dictBytes() int64 {
	if m.dictOffset > 0 && m.dictOffset < m.dataStart {
		return m.dataStart - m.dictOffset
	}
	return 0
}

// maxIndexBytes bounds the heap the lookup indexes of all parts hold
// (least recently used out past it). An index costs ≈ 5 KB per 65,536-
// row row group (≈ 0.08 bytes per span): 4 MB at 50M spans, so the bound
// is reached only past ≈ 400M spans in one table.
const maxIndexBytes = 32 << 20

// indexOf builds the lookup index of the part file pf: its footer as
// parsed, every row group's offset indexes and TraceId column index
// loaded from the file.
func indexOf(pf *parquet.File) *partIndex {
	ix := &partIndex{direct: directReadable(pf.Schema())}
	if !ix.direct {
		return ix
	}
	meta := pf.Metadata()
	rgs := pf.RowGroups()
	ix.groups = make([]groupIndex, len(rgs))
	for g := range rgs {
		ix.groups[g] = groupIndexOf(rgs[g], &meta.RowGroups[g])
		ix.bytes += ix.groups[g].bytes()
	}
	return ix
}

// groupIndexOf builds row group rg's lookup index (meta: its metadata).
func groupIndexOf(rg parquet.RowGroup, meta *format.RowGroup) groupIndex {
	chunks := rg.ColumnChunks()
	gi := groupIndex{rows: rg.NumRows()}
	if len(meta.Columns) != len(spanLeaves) || len(chunks) != len(spanLeaves) {
		return gi
	}
	ci, err := chunks[spanCol.traceID].ColumnIndex()
	if err != nil {
		return gi
	}
	gi.traceIdx = ci
	gi.cols = make([]chunkIndex, len(chunks))
	for c := range chunks {
		oi, err := chunks[c].OffsetIndex()
		if err != nil {
			return groupIndex{rows: gi.rows}
		}
		m := &meta.Columns[c].MetaData
		gi.cols[c] = chunkIndex{index: oi,
			meta: chunkMeta{codec: m.Codec, dictOffset: m.DictionaryPageOffset, dataStart: m.DataPageOffset}}
	}
	gi.ok = true
	return gi
}

// bytes estimates the heap gi holds: parquet-go's offset index is a
// location of 24 bytes per page, its column index a min and a max per
// page.
func (gi *groupIndex) bytes() int64 {
	n := int64(96)
	for _, c := range gi.cols {
		n += 96 + 24*int64(c.index.NumPages())
	}
	if gi.traceIdx != nil {
		n += 96 + 80*int64(gi.traceIdx.NumPages())
	}
	return n
}

// index returns the lookup index of the part file at path, building it
// (and keeping it) on first use.
func (o *openFiles) index(path string) (*partIndex, error) {
	o.mu.Lock()
	o.tick++
	if ix, ok := o.indexes[path]; ok {
		ix.used = o.tick
		o.mu.Unlock()
		return ix, nil
	}
	o.mu.Unlock()
	ix, err := buildIndex(path)
	if err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if old, ok := o.indexes[path]; ok { // built meanwhile by another lookup
		return old, nil
	}
	if o.closed {
		return ix, nil // used once, not kept
	}
	ix.used = o.tick
	o.indexes[path] = ix
	o.indexBytes += ix.bytes
	for o.indexBytes > o.maxIndexBytes && len(o.indexes) > 1 {
		var oldest string
		for k, q := range o.indexes {
			if k != path && (oldest == "" || q.used < o.indexes[oldest].used) {
				oldest = k
			}
		}
		o.indexBytes -= o.indexes[oldest].bytes
		delete(o.indexes, oldest)
	}
	return ix, nil
}

// warm builds the lookup indexes of the part files at paths not indexed
// yet, one after the other, until stop is closed; a part that cannot be
// indexed (deleted meanwhile by a merge) is left to its first lookup.
func (o *openFiles) warm(paths []string, stop <-chan struct{}) (built int, err error) {
	for _, p := range paths {
		select {
		case <-stop:
			return built, nil
		default:
		}
		o.mu.Lock()
		_, ok := o.indexes[p]
		o.mu.Unlock()
		if ok {
			continue
		}
		if _, ierr := o.index(p); ierr != nil {
			if err == nil {
				err = ierr
			}
			continue
		}
		built++
	}
	return built, err
}

// warmIndexes builds the lookup indexes of the parts published at Open,
// newest first, in the background (one goroutine: ≈ 6 ms of CPU per
// 470k-span part), so that a fresh server's first lookups find them
// built. The parts are leased meanwhile (a merge deletes none of them
// until it is done).
func (t *Table) warmIndexes() {
	defer t.wg.Done()
	t0 := time.Now()
	t.mu.Lock()
	sn := &Snapshot{t: t}
	for _, p := range slices.Backward(t.parts) {
		p.refs++
		sn.parts = append(sn.parts, p)
		sn.Metas = append(sn.Metas, p.meta)
	}
	t.mu.Unlock()
	defer sn.Release()
	paths := make([]string, len(sn.Metas))
	for i, m := range sn.Metas {
		paths[i] = filepath.Join(t.cfg.Dir, m.File())
	}
	built, err := t.files.warm(paths, t.stop)
	if err != nil {
		// The part's first lookup builds it again and reports the error.
		t.log.Warn("building the parts' lookup indexes failed", "err", err)
	}
	t.log.Debug("parts' lookup indexes built", "parts", built, "took", time.Since(t0))
}

// buildIndex opens the part file at path and builds its lookup index.
func buildIndex(path string) (*partIndex, error) {
	f, err := openPart(path)
	if err != nil {
		return nil, err
	}
	ix := indexOf(f.pf)
	if err := f.f.Close(); err != nil {
		return nil, fmt.Errorf("close part %s: %w", filepath.Base(path), err)
	}
	return ix, nil
}

// openPart opens the part file at path and parses its footer.
func openPart(path string) (*openFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open part: %w", err)
	}
	fi, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("open part: %w", err)
	}
	pf, err := parquet.OpenFile(fh, fi.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("open part %s: %w", filepath.Base(path), err)
	}
	leaf, ok := pf.Schema().Lookup("TraceId")
	if !ok || leaf.MaxRepetitionLevel > 0 {
		fh.Close()
		return nil, fmt.Errorf("part %s has no flat TraceId column", filepath.Base(path))
	}
	return &openFile{f: fh, pf: pf, traceCol: leaf.ColumnIndex, direct: directReadable(pf.Schema())}, nil
}
