package parts

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"github.com/klauspost/compress/zstd"
)

// writeParts writes the rows of p, cut from WAL segment no, as one part
// per hour bucket of their Timestamp (part-<no>-<no>-h<hour>), each
// published as soon as it is written, and returns their indexes. Buckets
// skip reports true for are not written (recovery: published before a
// crash). A failure leaves the buckets already published on disk: a
// retry writes them again under the same names, and Open, replaying the
// segment, skips them.
//
// Splitting by hour keeps retention (DropBefore drops whole parts)
// within an hour of its cutoff whatever a head spans (a backfill, or a
// slow trickle over FlushInterval).
func (t *Table) writeParts(no int, p *partBuf, skip func(hour int64) bool) ([]*PartMeta, error) {
	if t.cfg.partFault != nil {
		if err := t.cfg.partFault(); err != nil {
			return nil, err
		}
	}
	order, err := partOrder(p, t.cfg.Kind == Traces)
	if err != nil {
		return nil, err
	}
	rows := p.rows
	var metas []*PartMeta
	for i := 0; i < len(order); {
		hour := hourOf(rows[order[i]].ts)
		j := i + 1
		for j < len(order) && hourOf(rows[order[j]].ts) == hour {
			j++
		}
		if skip == nil || !skip(hour) {
			m, err := writePartRows(t.cfg.Dir, t.cfg.Kind, no, hour, p, order[i:j], t.cfg.RowGroupRows, t.cfg.PageBytes, t.cfg.ZstdLevel)
			if err != nil {
				return nil, err
			}
			metas = append(metas, m)
		}
		i = j
	}
	return metas, nil
}

// partOrder returns the order p's rows are written in (indexes into
// p.rows). The sort is of a permutation, not of p.rows: a trace lookup
// (TraceSpans) reads p.rows of a part being written, under t.mu, while
// this runs without it. 4 B per row instead of 40 (and 16 B per row
// of keys, mapped outside the Go heap, while sorting).
//
// By hour, then for spans (TraceId, Timestamp): a trace's spans are
// adjacent, so a lookup decodes one row group of a part instead of one
// per service the trace crossed (5M spans: p50 324 ms with service order
// on a loaded machine), and they compress better too (bench/ingest
// spans: 49.6 against 52.0 B/span). Log records by (ServiceName,
// Timestamp): similar rows adjacent compress best.
//
// Rows equal in all of these keep their arrival order: the last key is
// the row's index, which makes pdqsort's order that of a stable sort
// (SortStableFunc's insertion sort and merges were 3 % of the server's
// CPU at max log ingest).
func partOrder(p *partBuf, byTrace bool) ([]uint32, error) {
	rank := make([]uint32, len(p.svcNames)) // service id -> rank by name
	byName := make([]uint32, len(p.svcNames))
	for i := range byName {
		byName[i] = uint32(i)
	}
	slices.SortFunc(byName, func(a, b uint32) int { return strings.Compare(p.svcNames[a], p.svcNames[b]) })
	for r, id := range byName {
		rank[id] = uint32(r)
	}
	// The rows are first counted into their (hour, service) groups — for
	// spans their hour — in one pass; what is left to sort is each group's
	// own rows, by a key computed once per row and held contiguously: the
	// Timestamp, or the TraceId's first 8 bytes (the rest of a span's
	// keys is compared only when those are equal). That is ≈ 2× faster
	// than one sort through the permutation (BenchmarkPartOrder).
	type orderKey struct {
		k uint64
		i uint32
	}
	rows := p.rows
	if len(rows) == 0 {
		return nil, nil
	}
	minH, maxH := hourOf(rows[0].ts), hourOf(rows[0].ts)
	for i := range rows {
		h := hourOf(rows[i].ts)
		minH, maxH = min(minH, h), max(maxH, h)
	}
	per := 1 // groups per hour
	if !byTrace {
		per = len(rank)
	}
	// A head whose rows span more hours than it has rows (timestamps far
	// apart) is one group, sorted with the hour in the comparison.
	spread := uint64(maxH - minH)
	grouped := spread < uint64(len(rows)) && (spread+1)*uint64(per) <= uint64(2*len(rows)+64)
	group := func(r *rowRef) int {
		if !grouped {
			return 0
		}
		g := int(hourOf(r.ts)-minH) * per
		if !byTrace {
			g += int(rank[r.svc])
		}
		return g
	}
	groups := 1
	if grouped {
		groups = int(spread+1) * per
	}
	start := make([]int, groups+1)
	for i := range rows {
		start[group(&rows[i])+1]++
	}
	for g := range groups {
		start[g+1] += start[g]
	}
	// The keys (16 B per row) are mapped outside the Go heap, like the
	// sort index: at max ingest a head waiting for the flusher holds
	// hundreds of thousands of rows, and keys on the heap raised the
	// peak RSS by ≈ 30 MiB (the GC's headroom on a short-lived slab).
	mem, err := allocChunk(len(rows) * int(unsafe.Sizeof(orderKey{})))
	if err != nil {
		return nil, fmt.Errorf("sort keys of %d rows: %w", len(rows), err)
	}
	keys := unsafe.Slice((*orderKey)(unsafe.Pointer(unsafe.SliceData(mem[:cap(mem)]))), len(rows))
	next := slices.Clone(start[:groups])
	for i := range rows {
		r := &rows[i]
		k := orderKey{k: uint64(r.ts) ^ 1<<63, i: uint32(i)} // ordered as r.ts
		if byTrace {
			k.k = binary.BigEndian.Uint64(r.tid[:8])
		}
		g := group(r)
		keys[next[g]] = k
		next[g]++
	}
	byKeys := func(a, b orderKey) int {
		if !grouped { // the hour and the service first
			ra, rb := &rows[a.i], &rows[b.i]
			c := cmp.Compare(hourOf(ra.ts), hourOf(rb.ts))
			if c == 0 && !byTrace {
				c = cmp.Compare(rank[ra.svc], rank[rb.svc])
			}
			if c != 0 {
				return c
			}
		}
		if a.k != b.k {
			return cmp.Compare(a.k, b.k)
		}
		if byTrace { // the rest of the TraceId, then the Timestamp
			ra, rb := &rows[a.i], &rows[b.i]
			if c := cmp.Or(bytes.Compare(ra.tid[8:], rb.tid[8:]), cmp.Compare(ra.ts, rb.ts)); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.i, b.i)
	}
	for g := range groups {
		if start[g+1]-start[g] > 1 {
			slices.SortFunc(keys[start[g]:start[g+1]], byKeys)
		}
	}
	order := make([]uint32, len(keys))
	for i := range keys {
		order[i] = keys[i].i
	}
	if err := freeChunk(mem); err != nil {
		return nil, err
	}
	return order, nil
}

// writePartRows writes the rows of p at order (indexes into p.rows,
// sorted, all of hour bucket hour) as part no-no of that hour, published.
func writePartRows(dir string, kind Kind, no int, hour int64, p *partBuf, order []uint32, rowGroup, pageBytes int, level zstd.EncoderLevel) (*PartMeta, error) {
	seen := make(map[[16]byte]struct{}, len(order)/4)
	for _, k := range order {
		if tid := p.rows[k].tid; tid != ([16]byte{}) {
			seen[tid] = struct{}{}
		}
	}
	mb := newMetaBuilder(no, no, hour, len(seen))
	// The index is filled as rows are decoded for the writer: its counts
	// need their StatusCode or SeverityText, which the sort index lacks.
	tmp := filepath.Join(dir, partName(no, no, hour)+".parquet.tmp")
	dec := newDecoder(p, kind)
	at := 0
	var size int64
	var err error
	switch kind {
	case Traces:
		size, err = writeParquet(tmp, rowGroup, pageBytes, level, func(batch []SpanRow) (int, error) {
			dec.reset()
			n := 0
			for ; n < len(batch) && at < len(order); n, at = n+1, at+1 {
				r := &p.rows[order[at]]
				if err := dec.span(*r, &batch[n]); err != nil {
					return 0, err
				}
				mb.add(r.ts, r.tid, p.svcNames[r.svc], batch[n].StatusCode)
			}
			return n, nil
		})
	default:
		size, err = writeParquet(tmp, rowGroup, pageBytes, level, func(batch []LogRow) (int, error) {
			dec.reset()
			n := 0
			for ; n < len(batch) && at < len(order); n, at = n+1, at+1 {
				r := &p.rows[order[at]]
				if err := dec.log(*r, &batch[n]); err != nil {
					return 0, err
				}
				mb.add(r.ts, r.tid, p.svcNames[r.svc], batch[n].SeverityText)
			}
			return n, nil
		})
	}
	if err != nil {
		return nil, err
	}
	if kind == Traces {
		// The writer cut a row group every rowGroup rows: one filter each
		// (rgbloom.go).
		ids := make([][16]byte, 0, rowGroup)
		for i := 0; i < len(order); i += rowGroup {
			ids = ids[:0]
			for _, k := range order[i:min(i+rowGroup, len(order))] {
				ids = append(ids, p.rows[k].tid)
			}
			mb.m.RowGroupBlooms = append(mb.m.RowGroupBlooms, rowGroupBloom(ids, hashMixed))
		}
	}
	m := mb.finish()
	m.Bytes = size
	if err := publish(dir, m); err != nil {
		return nil, err
	}
	return m, nil
}
