package parts

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// Row-group bloom filters (issue 10, trace by ID at 50M spans).
//
// A merged part is a sequence of row groups, each sorted by TraceId on
// its own (merges copy them verbatim). TraceId values are random, so in
// every row group the page index (min/max per page) has a page whose
// range holds any ID: without more, a lookup decoded one TraceId page in
// each of a merged part's ≈ 20 row groups (a 1M-span part) to find the
// one holding the trace. PartMeta.RowGroupBlooms keeps one filter per
// row group, so a lookup decodes the TraceId page of (almost always) one
// row group. They are built while a merge reads the TraceIds of the part
// it wrote (which it did before, from its inputs, for the part's filter),
// so they cost no extra decoding; 2 B per trace, like the part's filter.

// Probe hashes. The part's filter (PartMeta.Bloom) takes its two
// hashes from the ID's halves, each mixed on its own (idHashes): with one
// half constant across IDs — 64-bit trace IDs padded with zeros, as
// older Jaeger and Zipkin clients send — every ID has the same probe
// step, the probe sets are shifts of one another and false positives run
// far above the design's ≈ 0.05% (19.5% in TestBloomFalsePositives). It
// stays so: binaries before this one read it. The row-group filters,
// new, mix both halves into each hash (hashMixed), so a part the weak
// filter lets through costs a look at its row groups' filters, not a
// decoded page.
const (
	hashHalves = 0 // PartMeta.Bloom
	hashMixed  = 1 // PartMeta.RowGroupBlooms
)

// probeHashes are the double-hashing pair of id under hash version v.
func probeHashes(v int, id [16]byte) (uint64, uint64) {
	if v == hashHalves {
		return idHashes(id)
	}
	a, b := idHashes(id) // mix(low half), mix(high half)|1
	h1 := splitmix(a ^ b)
	return h1, splitmix(h1^b^0x9e3779b97f4a7c15) | 1
}

// splitmix is splitmix64's finaliser.
func splitmix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// bloomHas reports whether the filter (k probes, hash version v) may
// hold id. An empty filter cannot exclude anything.
func bloomHas(bloom []uint64, k, v int, id [16]byte) bool {
	if len(bloom) == 0 {
		return true
	}
	bits := uint64(len(bloom) * 64)
	h1, h2 := probeHashes(v, id)
	for i := range k {
		b := (h1 + uint64(i)*h2) % bits
		if bloom[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// bloomAdd sets id's k probes (hash version v) in bloom.
func bloomAdd(bloom []uint64, k, v int, id [16]byte) {
	bits := uint64(len(bloom) * 64)
	h1, h2 := probeHashes(v, id)
	for i := range k {
		x := (h1 + uint64(i)*h2) % bits
		bloom[x/64] |= 1 << (x % 64)
	}
}

// newBloom returns an empty filter sized for traces distinct IDs
// (bloomBitsPerID each, at least 2048 bits).
func newBloom(traces int) []uint64 {
	nbits := max(2048, traces*bloomBitsPerID)
	return make([]uint64, (nbits+63)/64)
}

// rowGroupBloom is the filter of one row group's TraceIds (ids in file
// order; the all-zero ID is not added). Its size follows the distinct
// IDs, counted as changes between neighbours: exact for a sorted row
// group, an upper bound for one made of sorted runs.
func rowGroupBloom(ids [][16]byte, v int) []uint64 {
	distinct := 0
	for i := range ids {
		if i == 0 || ids[i] != ids[i-1] {
			distinct++
		}
	}
	bloom := newBloom(distinct)
	for _, id := range ids {
		if id != ([16]byte{}) {
			bloomAdd(bloom, bloomK, v, id)
		}
	}
	return bloom
}

// RowGroupMayContain reports whether row group rg of the part may hold
// id: false only if the part keeps one filter per row group of the file
// being read (groups row groups) and rg's excludes id.
func (m *PartMeta) RowGroupMayContain(rg, groups int, id [16]byte) bool {
	if len(m.RowGroupBlooms) != groups || rg < 0 || rg >= groups {
		return true // none kept (a log records part, or an older one), or not this file's
	}
	return bloomHas(m.RowGroupBlooms[rg], m.K, hashMixed, id)
}

// addFileTraceIDs reads the TraceId column of the part file at path, row
// group by row group: every ID goes into mb's part filter and, when
// perRowGroup, each row group's IDs into a filter of its own
// (mb.m.RowGroupBlooms).
func addFileTraceIDs(path string, mb *metaBuilder, perRowGroup bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := parquet.OpenFile(f, fi.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	leaf, ok := pf.Schema().Lookup("TraceId")
	if !ok || leaf.MaxRepetitionLevel > 0 {
		return fmt.Errorf("part %s has no flat TraceId column", path)
	}
	vals := make([]parquet.Value, 4096)
	var ids [][16]byte
	for _, rg := range pf.RowGroups() {
		ids = ids[:0]
		if ids, err = appendTraceIDs(rg.ColumnChunks()[leaf.ColumnIndex], vals, ids); err != nil {
			return fmt.Errorf("read TraceIds of %s: %w", path, err)
		}
		for _, id := range ids {
			mb.addID(id)
		}
		if perRowGroup {
			mb.m.RowGroupBlooms = append(mb.m.RowGroupBlooms, rowGroupBloom(ids, hashMixed))
		}
	}
	return nil
}

// appendTraceIDs appends the TraceIds of a column chunk to ids.
func appendTraceIDs(cc parquet.ColumnChunk, vals []parquet.Value, ids [][16]byte) ([][16]byte, error) {
	pages := cc.Pages()
	defer pages.Close()
	for {
		pg, err := pages.ReadPage()
		if errors.Is(err, io.EOF) {
			return ids, nil
		}
		if err != nil {
			return ids, err
		}
		r := pg.Values()
		for {
			n, err := r.ReadValues(vals)
			for _, v := range vals[:n] {
				var id [16]byte
				copy(id[:], v.ByteArray())
				ids = append(ids, id)
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				parquet.Release(pg)
				return ids, err
			}
		}
		parquet.Release(pg)
	}
}
