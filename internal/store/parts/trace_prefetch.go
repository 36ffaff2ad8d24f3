package parts

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/parquet-go/parquet-go"
)

// Assembling a trace's rows reads one page of each of the ≈ 60 leaf
// columns of a row group: each page is read, decompressed (zstd) and
// decoded. parquet-go's row reader does that one column after the other,
// so a lookup's wall time is the sum of the columns' decodes. A
// prefetched row group decodes the page holding the first wanted row of
// every column up front, on up to GOMAXPROCS goroutines, and hands the
// row reader those pages: the same pages, read once, in a fraction of
// the wall time on a machine with more than one core (issue 10: trace by
// ID p50 ≤ 5 ms at 50M spans).

// prefetchRowGroup is rg whose column chunks serve their page holding
// row `at` from a page decoded before the row reader asks for it.
type prefetchRowGroup struct {
	parquet.RowGroup
	cols []parquet.ColumnChunk
}

// release closes the prefetched pages no row reader took (a reader
// closes those it took).
func (g *prefetchRowGroup) release() {
	for _, c := range g.cols {
		if c := c.(*prefetchChunk); c.pages != nil {
			_ = c.pages.Close() // read-only pages: nothing to lose
			c.pages = nil
		}
	}
}

func (g *prefetchRowGroup) ColumnChunks() []parquet.ColumnChunk { return g.cols }
func (g *prefetchRowGroup) Rows() parquet.Rows                  { return parquet.NewRowGroupRowReader(g) }

// prefetchChunk is a column chunk whose first Pages reader starts with a
// page already read (pages); later Pages calls read the chunk afresh.
type prefetchChunk struct {
	parquet.ColumnChunk
	pages *prefetchPages // nil once handed out
}

func (c *prefetchChunk) Pages() parquet.Pages {
	if p := c.pages; p != nil {
		c.pages = nil
		return p
	}
	return c.ColumnChunk.Pages()
}

// prefetchPages is a column's pages reader holding the page that starts
// at row `at` (already read from inner, which is positioned after it).
// Seeks are applied lazily: the next ReadPage returns the held page if
// the last seek (or none: row 0) asked for row `at`, otherwise it drops
// the page and repositions inner.
type prefetchPages struct {
	inner  parquet.Pages
	page   parquet.Page
	err    error // reading page failed
	held   bool  // page/err not consumed yet
	at     int64
	seekTo int64 // where the next read starts; -1: wherever inner is
}

func (p *prefetchPages) SeekToRow(row int64) error {
	p.seekTo = row
	return nil
}

func (p *prefetchPages) ReadPage() (parquet.Page, error) {
	if p.held {
		p.held = false
		pg, err := p.page, p.err
		p.page = nil
		if p.seekTo == p.at {
			p.seekTo = -1
			return pg, err
		}
		parquet.Release(pg)
	}
	if p.seekTo >= 0 {
		if err := p.inner.SeekToRow(p.seekTo); err != nil {
			return nil, err
		}
		p.seekTo = -1
	}
	return p.inner.ReadPage()
}

func (p *prefetchPages) Close() error {
	if p.held {
		p.held = false
		parquet.Release(p.page)
		p.page = nil
	}
	return p.inner.Close()
}

// prefetch returns rg with the page holding row `at` of every column read
// and decoded, on up to GOMAXPROCS goroutines (each column's offset index
// loaded first, so that the seek reads only that page). The caller must
// close the row reader it builds on the result (closing the pages it
// took), then call release (closing the others).
func prefetch(rg parquet.RowGroup, at int64) (*prefetchRowGroup, error) {
	src := rg.ColumnChunks()
	chunks := make([]prefetchChunk, len(src))
	cols := make([]parquet.ColumnChunk, len(src))
	for i := range src {
		chunks[i].ColumnChunk = src[i]
		cols[i] = &chunks[i]
	}
	order := prefetchOrder(rg)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	work := func() {
		for {
			k := int(next.Add(1) - 1)
			if k >= len(chunks) || failed.Load() != nil {
				return
			}
			c := &chunks[order[k]]
			if _, err := c.ColumnChunk.OffsetIndex(); err != nil {
				err = fmt.Errorf("offset index: %w", err)
				failed.CompareAndSwap(nil, &err)
				return
			}
			inner := c.ColumnChunk.Pages()
			p := &prefetchPages{inner: inner, at: at, seekTo: 0, held: true}
			if p.err = inner.SeekToRow(at); p.err == nil {
				p.page, p.err = inner.ReadPage()
			}
			c.pages = p // read by the row reader after wg.Wait
		}
	}
	n := min(runtime.GOMAXPROCS(0), len(chunks))
	var wg sync.WaitGroup
	for range n - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	g := &prefetchRowGroup{RowGroup: rg, cols: cols}
	if errp := failed.Load(); errp != nil {
		g.release()
		return nil, *errp
	}
	return g, nil
}

// prefetchOrder returns the order in which prefetch decodes rg's columns:
// the largest dictionary page first (for a file's row group: from its
// column chunks' metadata), then by column. A lookup's decode is one
// column's page after the other on each of GOMAXPROCS goroutines; the
// dictionary of a high-cardinality column (SpanAttributes.values: ≈ 375
// KB compressed, half of a lookup's decode at 50M spans) decoded last on
// one goroutine kept the other idle, while started first the others'
// columns run beside it. Any other row group: column order.
func prefetchOrder(rg parquet.RowGroup) []int {
	n := len(rg.ColumnChunks())
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	frg, ok := rg.(*parquet.FileRowGroup)
	if !ok {
		return order
	}
	meta := frg.File().Metadata()
	k := slices.IndexFunc(frg.File().RowGroups(), func(g parquet.RowGroup) bool { return g == rg })
	if k < 0 || k >= len(meta.RowGroups) || len(meta.RowGroups[k].Columns) != n {
		return order
	}
	cols := meta.RowGroups[k].Columns
	dict := func(i int) int64 {
		m := &cols[i].MetaData
		if m.DictionaryPageOffset > 0 && m.DictionaryPageOffset < m.DataPageOffset {
			return m.DataPageOffset - m.DictionaryPageOffset
		}
		return 0
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(dict(b), dict(a)) })
	return order
}
