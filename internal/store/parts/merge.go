package parts

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/parquet-go/parquet-go"
)

// Merging: one background merger, one merge at a time. It merges a run
// of consecutive small parts (by segment number, no other part between
// them) into one part sorted like its inputs (ServiceName, Timestamp),
// named by the union of their segment ranges. Rules that keep a crash
// from losing or duplicating rows:
//
//   - only parts whose segments are all older than every pending (cut,
//     unwritten) part are merged, so a merged range never covers a WAL
//     segment that is still to be replayed;
//   - the merged part is published (fsync'd, renamed) before its inputs
//     are retired; Open deletes any part whose range another part's
//     covers, so a crash in between keeps the rows once;
//   - inputs are deleted when no Snapshot leases them.
//
// Memory is bounded: the inputs are streamed (mergeReadRows rows of each
// at a time) and the output is written a row group at a time, so a merge
// holds about fan-in × (a page per column) + one row group.
const (
	mergeFanIn    = 8   // inputs per merge at most
	mergeReadRows = 512 // rows read from an input at a time
)

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
	cands := t.parts[:n]
	small := 0
	for _, p := range cands {
		if p.meta.Rows*2 < int64(t.cfg.MergeRows) {
			small++
		}
	}
	bestI, bestJ, bestRatio := -1, -1, 0.0
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
			if ratio := float64(sum) / float64(max(biggest, 1)); ratio > bestRatio {
				bestI, bestJ, bestRatio = i, j, ratio
			}
		}
	}
	if bestI < 0 || (bestRatio < mergeMinRatio && small <= maxSmallParts) {
		return nil
	}
	return slices.Clone(cands[bestI : bestJ+1])
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
	first, last := group[0].meta.First, group[len(group)-1].meta.Last
	traces := 0
	paths := make([]string, len(group))
	for i, p := range group {
		traces += p.meta.Traces
		paths[i] = filepath.Join(t.cfg.Dir, p.meta.File())
	}
	mb := newMetaBuilder(first, last, traces)
	tmp := filepath.Join(t.cfg.Dir, partName(first, last)+".parquet.tmp")
	var size int64
	var err error
	switch t.cfg.Kind {
	case Traces:
		size, err = mergeFiles(paths, tmp, t.cfg.MergeRowGroupRows, t.stop, mb, func(r *SpanRow) (string, int64, []byte) {
			return r.ServiceName, r.Timestamp, r.TraceId
		})
	default:
		size, err = mergeFiles(paths, tmp, t.cfg.MergeRowGroupRows, t.stop, mb, func(r *LogRow) (string, int64, []byte) {
			return r.ServiceName, r.Timestamp, r.TraceId
		})
	}
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
		return removePart(t.cfg.Dir, first, last)
	}
	at := slices.Index(t.parts, group[0])
	t.parts = slices.Replace(t.parts, at, at+len(group), &livePart{meta: m})
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

// mergeInput is one input part being read.
type mergeInput[T any] struct {
	f    *os.File
	r    *parquet.GenericReader[T]
	buf  []T
	pos  int
	n    int
	done bool
}

func (in *mergeInput[T]) fill() error {
	if in.done || in.pos < in.n {
		return nil
	}
	n, err := in.r.Read(in.buf)
	in.pos, in.n = 0, n
	if errors.Is(err, io.EOF) {
		if n == 0 {
			in.done = true
		}
		return nil
	}
	return err
}

// mergeFiles k-way merges the parts at paths (each sorted by key's
// service then timestamp) into out. Rows read from an input are not
// used after the next read from it: a batch ends when an input needs a
// read, so the writer has copied every row taken from it.
func mergeFiles[T any](paths []string, out string, rowGroup int, stop <-chan struct{}, mb *metaBuilder,
	key func(*T) (string, int64, []byte)) (int64, error) {
	ins := make([]*mergeInput[T], 0, len(paths))
	defer func() {
		for _, in := range ins {
			in.r.Close()
			in.f.Close()
		}
	}()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return 0, fmt.Errorf("merge: %w", err)
		}
		ins = append(ins, &mergeInput[T]{f: f, r: parquet.NewGenericReader[T](f), buf: make([]T, mergeReadRows)})
	}
	var tid [16]byte
	return writeParquet(out, rowGroup, func(batch []T) (int, error) {
		select {
		case <-stop:
			return 0, errStopped
		default:
		}
		for _, in := range ins {
			if err := in.fill(); err != nil {
				return 0, fmt.Errorf("merge: read %s: %w", in.f.Name(), err)
			}
		}
		n := 0
		for n < len(batch) {
			var best *mergeInput[T]
			var bs string
			var bt int64
			for _, in := range ins {
				if in.pos >= in.n {
					continue
				}
				s, ts, _ := key(&in.buf[in.pos])
				if best == nil || s < bs || (s == bs && ts < bt) {
					best, bs, bt = in, s, ts
				}
			}
			if best == nil {
				break // every input is done
			}
			batch[n] = best.buf[best.pos]
			best.pos++
			s, ts, id := key(&batch[n])
			tid = [16]byte{}
			copy(tid[:], id)
			mb.add(ts, tid, s)
			n++
			if best.pos >= best.n && !best.done {
				break // it needs a read: end the batch first
			}
		}
		return n, nil
	})
}
