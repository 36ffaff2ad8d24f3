package parquetparts

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/parquet-go/parquet-go"
)

// PartMeta is a part's index, kept in memory and beside the part as
// <part>.json: what lets a reader pick the files a query needs before
// DuckDB opens any.
type PartMeta struct {
	File         string   `json:"file"`
	Rows         int      `json:"rows"`
	MinTimestamp int64    `json:"min_ts"`
	MaxTimestamp int64    `json:"max_ts"`
	Services     []string `json:"services"`
	// Bloom is a bloom filter of the part's TraceIds (k probes of the
	// ID's two 64-bit halves, double hashing).
	Bloom []uint64 `json:"bloom"`
	K     int      `json:"k"`
}

// MayContain reports whether the part may hold traceID (hex).
func (m *PartMeta) MayContain(traceID string) bool {
	var id [16]byte
	if _, err := hex.Decode(id[:], []byte(traceID)); err != nil || len(m.Bloom) == 0 {
		return len(m.Bloom) == 0
	}
	bits := uint64(len(m.Bloom) * 64)
	h1, h2 := idHashes(id)
	for i := range m.K {
		b := (h1 + uint64(i)*h2) % bits
		if m.Bloom[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

func idHashes(id [16]byte) (uint64, uint64) {
	mix := func(x uint64) uint64 { // splitmix64 finaliser
		x ^= x >> 30
		x *= 0xbf58476d1ce4e5b9
		x ^= x >> 27
		x *= 0x94d049bb133111eb
		return x ^ x>>31
	}
	var a, b uint64
	for i := range 8 {
		a |= uint64(id[i]) << (8 * i)
		b |= uint64(id[8+i]) << (8 * i)
	}
	return mix(a), mix(b) | 1
}

// bloomBitsPerID gives ≈ 0.05% false positives with k = 11: at 1% (10
// bits, k = 7) a lookup over 100 parts met a false part every time, and
// each costs the decode of a TraceId page (docs/benchmarks.md, "Second
// round"). 2 B per trace ID, ≈ 10 KB per 50k-span part.
const bloomBitsPerID, bloomK = 16, 11

// SortOrder is the row order within a part.
type SortOrder int

const (
	// ByServiceTime sorts by (ServiceName, Timestamp): similar rows are
	// adjacent, which compresses best.
	ByServiceTime SortOrder = iota
	// ByTraceID sorts by (TraceId, Timestamp): a trace's spans are
	// adjacent and row-group/page min/max statistics prune a lookup.
	ByTraceID
)

// writePart sorts p's rows by order and writes them to dir/name.parquet
// with its index, both fsync'd and renamed into place. Rows are decoded
// from p one row group at a time.
func writePart(dir, name string, p *partBuf, rowGroup, pageBytes int, order SortOrder) (*PartMeta, error) {
	rows := p.rows
	if order == ByTraceID {
		slices.SortFunc(rows, func(a, b rowRef) int {
			if c := bytes.Compare(a.tid[:], b.tid[:]); c != 0 {
				return c
			}
			return cmp.Compare(a.ts, b.ts)
		})
	} else {
		rank := make([]uint32, len(p.svcNames)) // service id -> rank by name
		byName := make([]uint32, len(p.svcNames))
		for i := range byName {
			byName[i] = uint32(i)
		}
		slices.SortFunc(byName, func(a, b uint32) int { return cmp.Compare(p.svcNames[a], p.svcNames[b]) })
		for r, id := range byName {
			rank[id] = uint32(r)
		}
		slices.SortFunc(rows, func(a, b rowRef) int {
			if c := cmp.Compare(rank[a.svc], rank[b.svc]); c != 0 {
				return c
			}
			return cmp.Compare(a.ts, b.ts)
		})
	}
	meta := &PartMeta{File: name + ".parquet", Rows: len(rows), K: bloomK, Services: slices.Clone(p.svcNames)}
	slices.Sort(meta.Services)
	distinct := 0
	var seen map[[16]byte]struct{}
	if order != ByTraceID {
		seen = map[[16]byte]struct{}{}
	}
	for i := range rows {
		r := &rows[i]
		if i == 0 || r.ts < meta.MinTimestamp {
			meta.MinTimestamp = r.ts
		}
		meta.MaxTimestamp = max(meta.MaxTimestamp, r.ts)
		if seen != nil {
			seen[r.tid] = struct{}{}
		} else if i == 0 || r.tid != rows[i-1].tid {
			distinct++
		}
	}
	if seen != nil {
		distinct = len(seen)
	}
	nbits := max(64, distinct*bloomBitsPerID)
	meta.Bloom = make([]uint64, (nbits+63)/64)
	bits := uint64(len(meta.Bloom) * 64)
	for i := range rows {
		if rows[i].tid == ([16]byte{}) {
			continue
		}
		h1, h2 := idHashes(rows[i].tid)
		for k := range bloomK {
			b := (h1 + uint64(k)*h2) % bits
			meta.Bloom[b/64] |= 1 << (b % 64)
		}
	}

	tmp := filepath.Join(dir, meta.File+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("create part: %w", err)
	}
	opts := []parquet.WriterOption{
		parquet.Compression(pageCodecFor(cmp.Or(pageBytes, parquet.DefaultPageBufferSize))),
		parquet.MaxRowsPerRowGroup(int64(rowGroup)),
		// No Parquet bloom filter on TraceId: with the IDs as BLOBs,
		// DuckDB 1.5.5 prunes with the filter parquet-go 0.32.1 writes
		// and finds nothing (TraceId = unhex('…') returns 0 rows; the
		// same filter on hex VARCHAR IDs works). The part index's own
		// bloom filter (PartMeta.Bloom) picks the files instead.
	}
	if pageBytes > 0 {
		opts = append(opts, parquet.PageBufferSize(pageBytes))
	}
	w := parquet.NewGenericWriter[SpanRow](f, opts...)
	dec := newDecoder(p)
	batch := make([]SpanRow, min(rowGroup, len(rows)))
	for off := 0; off < len(rows); off += rowGroup {
		end := min(off+rowGroup, len(rows))
		dec.reset()
		for i := off; i < end; i++ {
			dec.row(rows[i], &batch[i-off])
		}
		if _, err := w.Write(batch[:end-off]); err != nil {
			f.Close()
			return nil, fmt.Errorf("write part %s: %w", tmp, err)
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return nil, fmt.Errorf("write part %s: %w", tmp, err)
		}
	}
	if err := w.Close(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write part %s: %w", tmp, err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return nil, fmt.Errorf("sync part %s: %w", tmp, err)
	}
	idx, err := json.Marshal(meta)
	if err != nil {
		return nil, fmt.Errorf("encode part index: %w", err)
	}
	if err := writeFileSync(filepath.Join(dir, name+".json"), idx); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, filepath.Join(dir, meta.File)); err != nil {
		return nil, fmt.Errorf("publish part: %w", err)
	}
	return meta, syncDir(dir)
}

func writeFileSync(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.Write(b)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	return errors.Join(d.Sync(), d.Close())
}

// readMeta loads the index of every published part in dir.
func readMetas(dir string) ([]*PartMeta, error) {
	files, err := filepath.Glob(filepath.Join(dir, "part-*.json"))
	if err != nil {
		return nil, err
	}
	var out []*PartMeta
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read part index: %w", err)
		}
		m := &PartMeta{}
		if err := json.Unmarshal(b, m); err != nil {
			return nil, fmt.Errorf("part index %s: %w", p, err)
		}
		if _, err := os.Stat(filepath.Join(dir, m.File)); err != nil {
			continue // index written, part not published: the WAL still holds it
		}
		out = append(out, m)
	}
	return out, nil
}
