package parts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
)

// Merging: one background merger, one merge at a time. It merges a run
// of consecutive parts of one hour bucket (by segment number, no other
// part of that hour between them) into one part named by the union of
// their segment ranges and the hour, by copying
// their row groups verbatim (mergeFiles): a merge costs I/O, not CPU,
// and every row group of a merged part is sorted as its input part was.
// Row groups under a quarter of RowGroupRows (parts cut early) are
// re-encoded together into larger ones instead.
// Rules that keep a crash from losing or duplicating rows:
//
//   - only parts whose segments are all older than every pending (cut,
//     unwritten) part are merged, so a merged range never covers a WAL
//     segment that is still to be replayed;
//   - the merged part is published (fsync'd, renamed) before its inputs
//     are retired; Open deletes any part whose range another part's
//     covers, so a crash in between keeps the rows once;
//   - inputs are deleted when no Snapshot leases them.
//
// Memory: a merge holds one input's footer and one decoded TraceId page
// at a time; row groups are copied as compressed bytes.
const mergeFanIn = 8 // inputs per merge at most

var errStopped = errors.New("table closing")

// Merge policy (size-tiered, over consecutive parts only): among the
// windows of 2…mergeFanIn consecutive mergeable parts whose rows fit in
// MergeRows, take the one whose output is largest relative to its
// largest input (VictoriaMetrics' rule): a merge must grow its largest
// input mergeMinRatio times, so a row is rewritten about log3(MergeRows /
// PartRows) times (≈ 3 for the defaults), and parts of every size merge
// with their neighbours, tiny ones cut by Snapshot included. Without a
// window that good, parts of decreasing sizes can remain, a few per
// size: when more than maxSmallParts are left, the best window is merged
// whatever its ratio, which bounds their number.
const (
	mergeMinRatio = 3
	maxSmallParts = 40
)

// mergeGroupLocked picks the next parts to merge, nil if none. Only parts
// older than the oldest pending part are considered (see above).
func (t *Table) mergeGroupLocked() []*livePart {
	limit := t.segNo // the head's segment
	if len(t.pending) > 0 {
		limit = t.pending[0].no
	}
	n := 0
	for n < len(t.parts) && t.parts[n].meta.Last < limit {
		n++
	}
	// Parts are merged within their hour bucket only (retention drops
	// whole parts: a part spanning hours would keep old rows as long as
	// its newest). t.parts is sorted by First: each hour's list is too.
	byHour := map[int64][]*livePart{}
	small := 0
	for _, p := range t.parts[:n] {
		if p.meta.Rows*2 < int64(t.cfg.MergeRows) {
			small++
		}
		byHour[p.meta.Hour] = append(byHour[p.meta.Hour], p)
	}
	var best []*livePart
	bestRatio := 0.0
	for _, cands := range byHour {
		for i := range cands {
			var sum, biggest int64
			for j := i; j < len(cands) && j-i < mergeFanIn; j++ {
				r := cands[j].meta.Rows
				if sum+r > int64(t.cfg.MergeRows) {
					break
				}
				sum += r
				biggest = max(biggest, r)
				if j == i {
					continue
				}
				ratio := float64(sum) / float64(max(biggest, 1))
				// Ties (map order is random) go to the oldest parts.
				if ratio > bestRatio || (ratio == bestRatio && cands[i].meta.First < best[0].meta.First) {
					best, bestRatio = cands[i:j+1], ratio
				}
			}
		}
	}
	if best == nil || (bestRatio < mergeMinRatio && small <= maxSmallParts) {
		return nil
	}
	return slices.Clone(best)
}

func (t *Table) merger() {
	defer t.wg.Done()
	for {
		select {
		case <-t.stop:
			return
		case <-t.wakeMerge:
		}
		if err := t.mergeAll(); err != nil {
			if errors.Is(err, errStopped) {
				return
			}
			t.log.Error("merging parts failed; retried after the next part is written", "err", err)
		}
	}
}

// mergeAll merges until no group is left (one merge at a time).
func (t *Table) mergeAll() error {
	t.mergeMu.Lock()
	defer t.mergeMu.Unlock()
	for {
		t.mu.Lock()
		group := t.mergeGroupLocked()
		t.mu.Unlock()
		if group == nil {
			return nil
		}
		if err := t.merge(group); err != nil {
			return fmt.Errorf("merge parts %d-%d: %w", group[0].meta.First, group[len(group)-1].meta.Last, err)
		}
	}
}

// merge writes group as one part and swaps it in.
func (t *Table) merge(group []*livePart) error {
	first, last, hour := group[0].meta.First, group[len(group)-1].meta.Last, group[0].meta.Hour
	traces := 0
	paths := make([]string, len(group))
	for i, p := range group {
		traces += p.meta.Traces
		paths[i] = filepath.Join(t.cfg.Dir, p.meta.File())
	}
	mb := newMetaBuilder(first, last, hour, traces)
	for _, p := range group {
		mb.addMeta(p.meta)
	}
	tmp := filepath.Join(t.cfg.Dir, partName(first, last, hour)+".parquet.tmp")
	var size int64
	var err error
	size, err = mergeFiles(paths, tmp, t.cfg.RowGroupRows, t.cfg.PageBytes, t.cfg.ZstdLevel, t.stop, mb, t.cfg.Kind == Traces)
	if err != nil {
		return err
	}
	m := mb.finish()
	m.Bytes = size
	if err := publish(t.cfg.Dir, m); err != nil {
		os.Remove(tmp)
		return err
	}
	t.mu.Lock()
	if slices.ContainsFunc(group, func(p *livePart) bool { return p.retired }) {
		// An input was dropped (DropBefore) meanwhile: keep the drop.
		t.mu.Unlock()
		return removePart(t.cfg.Dir, m)
	}
	// The group's parts are not adjacent in t.parts when other hours'
	// parts lie between them.
	t.parts = slices.DeleteFunc(t.parts, func(p *livePart) bool { return slices.Contains(group, p) })
	t.insertPartLocked(m)
	var gone []*PartMeta
	for _, p := range group {
		p.retired = true
		if p.refs == 0 {
			gone = append(gone, p.meta)
		}
	}
	t.mu.Unlock()
	t.remove(gone)
	t.merges.Add(1)
	t.mergedRows.Add(m.Rows)
	return nil
}

// mergeFiles writes the parts at paths, in order, as one file out: their
// row groups are copied verbatim (parquet-go splices the compressed
// column chunks; nothing is decoded or re-encoded), so a merge costs I/O,
// not CPU. Each row group stays sorted as its part was. Only the TraceId
// column of the written part is decoded, for its bloom filter (mb) and,
// when perRowGroup, its row groups' filters.
func mergeFiles(paths []string, out string, rowGroup, pageBytes int, level zstd.EncoderLevel, stop <-chan struct{}, mb *metaBuilder, perRowGroup bool) (_ int64, err error) {
	f, err := os.Create(out)
	if err != nil {
		return 0, fmt.Errorf("create part: %w", err)
	}
	pages := &pageArena{}
	defer func() {
		if rerr := pages.release(); rerr != nil && err == nil {
			err = fmt.Errorf("merge into %s: %w", out, rerr)
		}
	}()
	fail := func(err error) (int64, error) {
		f.Close()
		os.Remove(out)
		return 0, fmt.Errorf("merge into %s: %w", out, err)
	}
	var w *parquet.Writer
	var schema *parquet.Schema
	for _, p := range paths {
		in, err := os.Open(p)
		if err != nil {
			return fail(err)
		}
		err = func() error {
			defer in.Close()
			fi, err := in.Stat()
			if err != nil {
				return err
			}
			pf, err := parquet.OpenFile(in, fi.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
			if err != nil {
				return fmt.Errorf("open %s: %w", p, err)
			}
			if schema == nil {
				schema = pf.Schema()
				w = parquet.NewWriter(f, append(writerOptions(rowGroup, pageBytes, level, pages, schema), schema)...)
			} else if !parquet.EqualNodes(pf.Schema(), schema) {
				return fmt.Errorf("part %s has another schema than %s", p, paths[0])
			}
			for _, rg := range pf.RowGroups() {
				select {
				case <-stop:
					return errStopped
				default:
				}
				if rg.NumRows() < int64(rowGroup/4) {
					// A small row group (a part cut early by Snapshot or
					// FlushInterval) is re-encoded into the row group being
					// built, so that tiny ones do not pile up.
					rows := rg.Rows()
					_, err := parquet.CopyRows(w, rows)
					if err = errors.Join(err, rows.Close()); err != nil {
						return fmt.Errorf("copy the rows of %s: %w", p, err)
					}
				} else if _, err := w.WriteRowGroup(rg); err != nil {
					return fmt.Errorf("copy a row group of %s: %w", p, err)
				}
			}
			return nil
		}()
		if err != nil {
			return fail(err)
		}
	}
	if w == nil {
		return fail(errors.New("no input"))
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		os.Remove(out)
		return 0, fmt.Errorf("sync part %s: %w", out, err)
	}
	// The written part's row groups, not the inputs': small input row
	// groups were re-encoded together.
	if err := addFileTraceIDs(out, mb, perRowGroup); err != nil {
		os.Remove(out)
		return 0, fmt.Errorf("merge into %s: %w", out, err)
	}
	return fi.Size(), nil
}
