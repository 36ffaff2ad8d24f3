package parts

import (
	"cmp"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
)

// PartMeta is a part's index, kept in memory and beside the part as
// part-<first>-<last>.json: what picks the files a query needs before
// DuckDB opens any.
type PartMeta struct {
	// First and Last are the range of WAL segment numbers whose rows the
	// part holds: a part cut from the head holds segment First == Last, a
	// merged part the union of its inputs' ranges.
	First int `json:"first"`
	Last  int `json:"last"`
	// Hour is the hour bucket of every row's Timestamp (Unix time / 1 h,
	// rounded down; see hourOf), or noHour for a part written before
	// parts were split by hour. Merges join parts of one hour only.
	Hour         int64    `json:"hour"`
	Rows         int64    `json:"rows"`
	Bytes        int64    `json:"bytes"` // size of the Parquet file
	MinTimestamp int64    `json:"min_ts"`
	MaxTimestamp int64    `json:"max_ts"`
	Services     []string `json:"services"`
	// Traces is the number of distinct non-empty TraceIds (what sizes Bloom).
	Traces int `json:"traces"`
	// Bloom is a bloom filter of the part's TraceIds (K probes of the
	// ID's two 64-bit halves, double hashing).
	Bloom bloomWords `json:"bloom"`
	K     int        `json:"k"`
	// RowGroupBlooms are, for a spans part, a bloom filter of each row
	// group's TraceIds, in file order, with K probes of hashMixed
	// (rgbloom.go): a trace lookup reads only the row groups whose filter
	// may hold the ID. Empty for a log records part or a spans part
	// written before they were kept: every row group is read.
	RowGroupBlooms []bloomWords `json:"rg_blooms,omitempty"`
	// Counts are the part's rows counted per ServiceName, level
	// (StatusCode of a span, SeverityText of a log record) and minute of
	// Timestamp, sorted (what answers a count by service or level without
	// reading the part). CountsKept is false for a part written before they were
	// kept (or merged from one): it has none.
	Counts     []Count `json:"counts,omitempty"`
	CountsKept bool    `json:"counts_kept,omitempty"`
}

// Count is the number of a part's rows of one service in one minute.
type Count struct {
	Service string `json:"s"`
	Level   string `json:"l,omitempty"` // StatusCode (spans) or SeverityText (logs)
	Minute  int64  `json:"m"`           // Unix time / 1 min, rounded down
	N       int64  `json:"n"`
}

// minuteOf is the minute bucket of a Timestamp (Unix nanoseconds).
func minuteOf(ts int64) int64 {
	const minute = int64(time.Minute)
	m := ts / minute
	if ts%minute < 0 {
		m--
	}
	return m
}

type countKey struct {
	svc, level string
	minute     int64
}

// noHour is the Hour of a part written before parts were split by hour
// (named part-<first>-<last>, without the hour suffix).
const noHour = math.MinInt64

// hourOf is the hour bucket of a Timestamp (Unix nanoseconds).
func hourOf(ts int64) int64 {
	const hour = int64(time.Hour)
	h := ts / hour
	if ts%hour < 0 {
		h--
	}
	return h
}

// partName is the base name (no extension) of the part holding the rows
// of hour bucket hour of WAL segments first…last.
func partName(first, last int, hour int64) string {
	if hour == noHour {
		return fmt.Sprintf("part-%08d-%08d", first, last)
	}
	return fmt.Sprintf("part-%08d-%08d-h%d", first, last, hour)
}

// File is the part's Parquet file name.
func (m *PartMeta) File() string { return partName(m.First, m.Last, m.Hour) + ".parquet" }

// parsePartName parses "part-<first>-<last>-h<hour>" or, written before
// hour buckets, "part-<first>-<last>" (hour noHour); any extension.
func parsePartName(name string) (first, last int, hour int64, ok bool) {
	name, _, _ = strings.Cut(name, ".")
	rest, ok := strings.CutPrefix(name, "part-")
	if !ok {
		return 0, 0, 0, false
	}
	hour = noHour
	if r, h, found := strings.Cut(rest, "-h"); found {
		var err error
		if hour, err = strconv.ParseInt(h, 10, 64); err != nil || hour == noHour {
			return 0, 0, 0, false
		}
		rest = r
	}
	a, b, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, 0, 0, false
	}
	first, err1 := strconv.Atoi(a)
	last, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || first < 1 || last < first {
		return 0, 0, 0, false
	}
	return first, last, hour, true
}

// covers reports whether m holds all of o's rows: the same hour bucket,
// and m's segment range holds o's.
func (m *PartMeta) covers(o *PartMeta) bool {
	return m.Hour == o.Hour && m.First <= o.First && o.Last <= m.Last
}

// holds reports whether m holds the rows of hour bucket hour of WAL
// segment no (a part from before hour buckets holds all of them).
func (m *PartMeta) holds(no int, hour int64) bool {
	return m.First <= no && no <= m.Last && (m.Hour == hour || m.Hour == noHour)
}

// MayContain reports whether the part may hold traceID (32 hex chars);
// a malformed ID matches no part.
func (m *PartMeta) MayContain(traceID string) bool {
	var id [16]byte
	if len(traceID) != 32 {
		return false
	}
	if _, err := hex.Decode(id[:], []byte(traceID)); err != nil {
		return false
	}
	return bloomHas(m.Bloom, m.K, hashHalves, id) // no filter recorded: cannot exclude
}

// idHashes are the probes' hashes of hash version hashHalves.
func idHashes(id [16]byte) (uint64, uint64) {
	mix := splitmix
	var a, b uint64
	for i := range 8 {
		a |= uint64(id[i]) << (8 * i)
		b |= uint64(id[8+i]) << (8 * i)
	}
	return mix(a), mix(b) | 1
}

// bloomBitsPerID gives ≈ 0.05% false positives with k = 11 (measured in
// docs/benchmarks.md, "Second round": at 1% a lookup over 100 parts met a
// false part every time). 2 B per trace ID.
const bloomBitsPerID, bloomK = 16, 11

// metaBuilder accumulates a part's index while its rows are written.
type metaBuilder struct {
	m        PartMeta
	svcs     map[string]struct{}
	counts   map[countKey]int64
	levels   map[string]string // interned levels
	noCounts bool              // an input part had no counts: the result has none either
}

// newMetaBuilder sizes the bloom filter for up to traces distinct IDs.
func newMetaBuilder(first, last int, hour int64, traces int) *metaBuilder {
	// Small parts: newBloom's 256-byte floor keeps false positives rare.
	return &metaBuilder{m: PartMeta{First: first, Last: last, Hour: hour, K: bloomK, Traces: traces,
		Bloom: newBloom(traces)}, svcs: map[string]struct{}{}, counts: map[countKey]int64{},
		levels: map[string]string{}}
}

// addMeta adds what a merge input's index says: rows, time range,
// services (its TraceIds go through addID).
func (b *metaBuilder) addMeta(m *PartMeta) {
	if m.Rows == 0 {
		return
	}
	if b.m.Rows == 0 || m.MinTimestamp < b.m.MinTimestamp {
		b.m.MinTimestamp = m.MinTimestamp
	}
	if b.m.Rows == 0 || m.MaxTimestamp > b.m.MaxTimestamp {
		b.m.MaxTimestamp = m.MaxTimestamp
	}
	b.m.Rows += m.Rows
	for _, s := range m.Services {
		b.svcs[s] = struct{}{}
	}
	if !m.CountsKept {
		b.noCounts = true
	}
	for _, c := range m.Counts {
		b.counts[countKey{c.Service, c.Level, c.Minute}] += c.N
	}
}

// addID adds a TraceId to the bloom filter (the empty ID is not added).
func (b *metaBuilder) addID(tid [16]byte) {
	if tid == ([16]byte{}) {
		return
	}
	bloomAdd(b.m.Bloom, bloomK, hashHalves, tid)
}

// add adds a row; svc and level must not point into a part's chunks
// (svc comes from partBuf.svcNames; level is interned here).
func (b *metaBuilder) add(ts int64, tid [16]byte, svc, level string) {
	if b.m.Rows == 0 || ts < b.m.MinTimestamp {
		b.m.MinTimestamp = ts
	}
	if b.m.Rows == 0 || ts > b.m.MaxTimestamp {
		b.m.MaxTimestamp = ts
	}
	b.m.Rows++
	if _, ok := b.svcs[svc]; !ok {
		svc = strings.Clone(svc)
		b.svcs[svc] = struct{}{}
	}
	lv, ok := b.levels[level]
	if !ok {
		lv = strings.Clone(level) // level may point into a chunk
		b.levels[lv] = lv
	}
	b.counts[countKey{svc, lv, minuteOf(ts)}]++
	b.addID(tid)
}

func (b *metaBuilder) finish() *PartMeta {
	for s := range b.svcs {
		b.m.Services = append(b.m.Services, s)
	}
	slices.Sort(b.m.Services)
	if !b.noCounts {
		b.m.CountsKept = true
		for k, n := range b.counts {
			b.m.Counts = append(b.m.Counts, Count{Service: k.svc, Level: k.level, Minute: k.minute, N: n})
		}
		slices.SortFunc(b.m.Counts, func(x, y Count) int {
			return cmp.Or(cmp.Compare(x.Minute, y.Minute), strings.Compare(x.Service, y.Service), strings.Compare(x.Level, y.Level))
		})
	}
	return &b.m
}

// writerOptions are the Parquet writer's options for a part. No Parquet
// bloom filter: with the IDs as BLOBs, DuckDB 1.5.5 prunes with the
// filter parquet-go 0.32.1 writes and finds nothing (TraceId = unhex('…')
// returns 0 rows). The part index's own filter picks the files instead.
//
// pageBytes is the target size of a page (before compression, 0:
// parquet-go's 256 KiB); the zstd window is sized to it. pages holds the
// row group's compressed pages until it is written (off the Go heap);
// the caller releases it when the writer is done.
//
// The columns noBounds picks get no min/max (neither in their page
// headers nor as page bounds, hence no column index entries and no
// chunk statistics either): nothing prunes
// on them, and computing a dictionary page's bounds compares every
// distinct value it uses (≈ 6% of a log record's part-writing CPU).
func writerOptions(rowGroup, pageBytes int, level zstd.EncoderLevel, pages *pageArena, schema *parquet.Schema) []parquet.WriterOption {
	pageBytes = cmp.Or(pageBytes, parquet.DefaultPageBufferSize)
	opts := []parquet.WriterOption{
		parquet.ColumnPageBuffers(pages),
		parquet.Compression(pageCodecFor(pageBytes, level)),
		parquet.PageBufferSize(pageBytes),
		parquet.MaxRowsPerRowGroup(int64(rowGroup)),
	}
	for _, path := range schema.Columns() {
		if noBounds(path) {
			opts = append(opts, parquet.SkipPageBounds(path...), parquet.SkipPageStatistics(path...))
		}
	}
	return opts
}

// noBounds reports whether the column at path is written without
// min/max: the attribute maps' keys and values, Body, StatusMessage and
// the events' and links' columns. Queries filter them by value (a map
// element, a substring), which statistics cannot prune; the columns
// read by bounds — Timestamp, TraceId (a trace lookup's pages, by the
// column index), ServiceName, SeverityText, SpanName — keep them.
func noBounds(path []string) bool {
	if len(path) == 0 {
		return false
	}
	switch path[0] {
	case "Body", "StatusMessage", "Events", "Links":
		return true
	}
	return len(path) > 1 && (path[1] == "keys" || path[1] == "values")
}

// writeBatchRows bounds the decoded rows handed to the writer at a time
// (≈ 0.5 KB of structs and string headers each), whatever the row group
// size. Both part writers hold a batch, and the Go heap grows to twice
// what is live (GOGC=100): at 8192 the batches were ≈ 16 MB of the
// ≈ 106 MB live at max ingest; 1024 costs no measurable CPU
// (docs/benchmarks.md, "Issue 10: peak RSS at max ingest").
const writeBatchRows = 1024

// writeParquet writes the part file path (a .tmp name) in row groups of
// rowGroup rows: next fills a batch of rows and returns how many (0 at
// the end). It returns the file's size; the caller publishes it.
func writeParquet[T any](path string, rowGroup, pageBytes int, level zstd.EncoderLevel, next func(batch []T) (int, error)) (_ int64, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("create part: %w", err)
	}
	pages := &pageArena{}
	defer func() {
		if rerr := pages.release(); rerr != nil && err == nil {
			err = fmt.Errorf("write part %s: %w", path, rerr)
		}
	}()
	fail := func(err error) (int64, error) {
		f.Close()
		os.Remove(path)
		return 0, fmt.Errorf("write part %s: %w", path, err)
	}
	w := parquet.NewGenericWriter[T](f, writerOptions(rowGroup, pageBytes, level, pages, parquet.SchemaOf(new(T)))...)
	batch := make([]T, min(rowGroup, writeBatchRows))
	for {
		n, err := next(batch)
		if err != nil {
			return fail(err)
		}
		if n == 0 {
			break
		}
		// The writer cuts a row group every rowGroup rows
		// (MaxRowsPerRowGroup), whatever the batches.
		if _, err := w.Write(batch[:n]); err != nil {
			return fail(err)
		}
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return 0, fmt.Errorf("sync part %s: %w", path, err)
	}
	return fi.Size(), nil
}

// comparePart orders parts by First, then hour (the order of
// Table.parts).
func comparePart(a, b *PartMeta) int {
	return cmp.Or(cmp.Compare(a.First, b.First), cmp.Compare(a.Hour, b.Hour))
}

// publish writes m's index and renames the part's .tmp file into place,
// both fsync'd: a part is published once its Parquet file has its final
// name (an index without its part is ignored, and deleted, by Open).
func publish(dir string, m *PartMeta) error {
	idx, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode part index: %w", err)
	}
	base := partName(m.First, m.Last, m.Hour)
	// The index too is written aside and renamed: a torn index is never
	// under its final name.
	if err := writeFileSync(filepath.Join(dir, base+".json.tmp"), idx); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(dir, base+".json.tmp"), filepath.Join(dir, base+".json")); err != nil {
		return fmt.Errorf("publish part index: %w", err)
	}
	if err := os.Rename(filepath.Join(dir, base+".parquet.tmp"), filepath.Join(dir, base+".parquet")); err != nil {
		return fmt.Errorf("publish part: %w", err)
	}
	return syncDir(dir)
}

// removePart deletes a part's files (Parquet first: without it the index
// is ignored).
func removePart(dir string, m *PartMeta) error {
	base := filepath.Join(dir, partName(m.First, m.Last, m.Hour))
	err := os.Remove(base + ".parquet")
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	err2 := os.Remove(base + ".json")
	if errors.Is(err2, os.ErrNotExist) {
		err2 = nil
	}
	if err := errors.Join(err, err2); err != nil {
		return fmt.Errorf("remove part: %w", err)
	}
	return nil
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

// parseMeta decodes a part index and checks it names its own file.
func parseMeta(name string, b []byte) (*PartMeta, error) {
	first, last, hour, ok := parsePartName(name)
	if !ok {
		return nil, fmt.Errorf("part index %s: not a part name", name)
	}
	m := &PartMeta{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("part index %s: %w", name, err)
	}
	if hour == noHour {
		m.Hour = noHour // an index from before hour buckets has none
	}
	if m.First != first || m.Last != last || m.Hour != hour || m.Rows < 0 || m.K < 0 || m.K > 64 ||
		(len(m.Bloom) == 0) != (m.K == 0) || (len(m.RowGroupBlooms) > 0 && m.K == 0) ||
		slices.ContainsFunc(m.RowGroupBlooms, func(b bloomWords) bool { return len(b) == 0 }) {
		return nil, fmt.Errorf("part index %s: inconsistent with its name or malformed", name)
	}
	return m, nil
}

// loadParts reads the index of every published part in dir, deletes what
// a crash left behind (unpublished .tmp files, indexes without their
// part, parts whose segment range another part covers: the inputs of a
// merge published before they were removed) and returns the rest sorted
// by First.
func loadParts(dir string) ([]*PartMeta, error) {
	tmps, err := filepath.Glob(filepath.Join(dir, "part-*.tmp")) // .parquet.tmp and .json.tmp
	if err != nil {
		return nil, err
	}
	for _, p := range tmps {
		if err := os.Remove(p); err != nil {
			return nil, fmt.Errorf("remove unpublished part: %w", err)
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "part-*.json"))
	if err != nil {
		return nil, err
	}
	var all []*PartMeta
	for _, p := range files {
		if _, err := os.Stat(strings.TrimSuffix(p, ".json") + ".parquet"); errors.Is(err, os.ErrNotExist) {
			// Index written, part not published: its rows are still in
			// the WAL (or in the merge inputs).
			if err := os.Remove(p); err != nil {
				return nil, fmt.Errorf("remove unpublished part index: %w", err)
			}
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read part index: %w", err)
		}
		m, err := parseMeta(filepath.Base(p), b)
		if err != nil {
			return nil, fmt.Errorf("%w: move the file and its .parquet away to open the rest", err)
		}
		all = append(all, m)
	}
	slices.SortFunc(all, func(a, b *PartMeta) int {
		return cmp.Or(cmp.Compare(a.Hour, b.Hour), cmp.Compare(a.First, b.First), -cmp.Compare(a.Last, b.Last))
	})
	// Sorted by hour, then First, widest first: a part is covered iff an
	// earlier kept part of its hour reaches its Last.
	var out []*PartMeta
	for _, m := range all {
		if n := len(out); n > 0 && out[n-1].covers(m) {
			if err := removePart(dir, m); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, comparePart)
	return out, nil
}
