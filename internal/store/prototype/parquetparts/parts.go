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

// bloomBitsPerID gives ≈ 1% false positives with k = 7.
const bloomBitsPerID, bloomK = 10, 7

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

// writePart sorts rows by order and writes them to dir/name.parquet with
// its index, both fsync'd and renamed into place.
func writePart(dir, name string, rows []SpanRow, rowGroup int, order SortOrder) (*PartMeta, error) {
	slices.SortFunc(rows, func(a, b SpanRow) int {
		if order == ByTraceID {
			if c := bytes.Compare(a.TraceId, b.TraceId); c != 0 {
				return c
			}
			return cmp.Compare(a.Timestamp, b.Timestamp)
		}
		if c := cmp.Compare(a.ServiceName, b.ServiceName); c != 0 {
			return c
		}
		return cmp.Compare(a.Timestamp, b.Timestamp)
	})
	meta := &PartMeta{File: name + ".parquet", Rows: len(rows), K: bloomK}
	ids := map[[16]byte]struct{}{}
	for i := range rows {
		r := &rows[i]
		if i == 0 || r.Timestamp < meta.MinTimestamp {
			meta.MinTimestamp = r.Timestamp
		}
		meta.MaxTimestamp = max(meta.MaxTimestamp, r.Timestamp)
		if !slices.Contains(meta.Services, r.ServiceName) {
			meta.Services = append(meta.Services, r.ServiceName)
		}
		if len(r.TraceId) == 16 {
			ids[[16]byte(r.TraceId)] = struct{}{}
		}
	}
	nbits := max(64, len(ids)*bloomBitsPerID)
	meta.Bloom = make([]uint64, (nbits+63)/64)
	bits := uint64(len(meta.Bloom) * 64)
	for id := range ids {
		h1, h2 := idHashes(id)
		for i := range bloomK {
			b := (h1 + uint64(i)*h2) % bits
			meta.Bloom[b/64] |= 1 << (b % 64)
		}
	}

	tmp := filepath.Join(dir, meta.File+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("create part: %w", err)
	}
	w := parquet.NewGenericWriter[SpanRow](f,
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(int64(rowGroup)),
		// No Parquet bloom filter on TraceId: with the IDs as BLOBs,
		// DuckDB 1.5.5 prunes with the filter parquet-go 0.32.1 writes
		// and finds nothing (TraceId = unhex('…') returns 0 rows; the
		// same filter on hex VARCHAR IDs works). The part index's own
		// bloom filter (PartMeta.Bloom) picks the files instead.
	)
	for off := 0; off < len(rows); off += rowGroup {
		end := min(off+rowGroup, len(rows))
		if _, err := w.Write(rows[off:end]); err != nil {
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
