package parquetparts

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
)

// Config of the prototype store.
type Config struct {
	Dir string
	// PartRows: rows per part (default 50k: with parts sorted by
	// TraceId as many bytes per span as 200k, and a quarter of the
	// memory; at most three parts are in memory: one being written, one
	// handed over, one filling).
	PartRows int
	// RowGroupRows: rows per Parquet row group (default 16k: small
	// enough that a trace lookup decodes little, see Trace).
	RowGroupRows int
	// PageBytes: parquet-go's page buffer size (0: its default, 256 KiB).
	PageBytes int
	// Order of the rows within a part (default ByServiceTime).
	Order SortOrder
	// OpenParts bounds the parts Trace keeps open (default 64; ≈ 180 KB
	// of heap each at 50k spans).
	OpenParts int
}

// Store is the prototype trace store. It implements store.TraceInserter.
type Store struct {
	cfg Config
	enc sync.Pool // *encBatch

	mu      sync.Mutex // guards everything below, and the WAL's buffer
	seg     *walSegment
	segNo   int
	mem     *partBuf
	seq     uint64 // records appended
	metas   []*PartMeta
	readers readers
	closed  bool
	flushes chan flushJob
	flushWG sync.WaitGroup
	flushMu sync.Mutex
	flushEr error

	syncMu sync.Mutex // one fsync at a time; a sync covers every record before it
	synced uint64
}

var _ store.TraceInserter = (*Store)(nil)

type flushJob struct {
	rows *partBuf
	seg  *walSegment // the segment holding exactly these rows
	name string
}

// Open opens (creating) the store in cfg.Dir, replaying any WAL segment
// into a part first.
func Open(cfg Config) (*Store, error) {
	if cfg.PartRows <= 0 {
		cfg.PartRows = 50_000
	}
	if cfg.RowGroupRows <= 0 {
		cfg.RowGroupRows = 16_384
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create store dir: %w", err)
	}
	s := &Store{cfg: cfg, flushes: make(chan flushJob)}
	s.readers.max = cfg.OpenParts
	s.enc.New = func() any { return &encBatch{} }
	metas, err := readMetas(cfg.Dir)
	if err != nil {
		return nil, err
	}
	s.metas = metas
	// Part N holds exactly the rows of WAL segment N: numbers only grow.
	for _, m := range metas {
		s.segNo = max(s.segNo, fileNo(m.File))
	}
	segs, err := filepath.Glob(filepath.Join(cfg.Dir, "wal-*.log"))
	if err != nil {
		return nil, err
	}
	slices.Sort(segs)
	for _, p := range segs {
		no := fileNo(filepath.Base(p))
		s.segNo = max(s.segNo, no)
		name := fmt.Sprintf("part-%08d", no)
		if slices.ContainsFunc(metas, func(m *PartMeta) bool { return m.File == name+".parquet" }) {
			// The part was published before the crash, the segment not
			// yet deleted: replaying it would store its rows twice.
			if err := os.Remove(p); err != nil {
				return nil, fmt.Errorf("recover %s: %w", p, err)
			}
			continue
		}
		rows := newPartBuf(0)
		var b encBatch
		if _, err := replaySegment(p, func(payload []byte) error {
			td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(payload)
			if err != nil {
				return err
			}
			b.buf, b.rows = b.buf[:0], b.rows[:0]
			b.encode(td)
			return rows.add(&b)
		}); err != nil {
			return nil, err
		}
		if len(rows.rows) > 0 {
			m, err := writePart(cfg.Dir, name, rows, cfg.RowGroupRows, cfg.PageBytes, cfg.Order)
			err = errors.Join(err, rows.free())
			if err != nil {
				return nil, fmt.Errorf("recover %s: %w", p, err)
			}
			s.metas = append(s.metas, m)
		}
		if err := os.Remove(p); err != nil {
			return nil, fmt.Errorf("recover %s: %w", p, err)
		}
	}
	if s.seg, err = createSegment(s.segPath()); err != nil {
		return nil, err
	}
	s.flushWG.Add(1)
	go s.flusher()
	return s, nil
}

// fileNo is N of "part-N.parquet" or "wal-N.log" (0 if none).
func fileNo(name string) int {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".parquet"), ".log")
	_, digits, _ := strings.Cut(name, "-")
	n, _ := strconv.Atoi(digits)
	return n
}

func (s *Store) segPath() string {
	return filepath.Join(s.cfg.Dir, fmt.Sprintf("wal-%08d.log", s.segNo+1))
}

// InsertTraces stores td durably: it returns after the fsync that covers
// td's WAL record. The rows become part of a Parquet file later.
func (s *Store) InsertTraces(ctx context.Context, td ptrace.Traces) error {
	payload, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err != nil {
		return fmt.Errorf("encode WAL record: %w", err)
	}
	return s.InsertTracesProto(ctx, td, payload)
}

// InsertTracesProto is InsertTraces for a request whose OTLP protobuf
// bytes the caller still holds (payload decodes to td, as a receiver
// has them): the WAL record is payload as it is, not re-encoded.
func (s *Store) InsertTracesProto(ctx context.Context, td ptrace.Traces, payload []byte) error {
	b := s.enc.Get().(*encBatch)
	defer s.enc.Put(b)
	b.buf, b.rows = b.buf[:0], b.rows[:0]
	b.encode(td)
	var err error
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return store.ErrClosed
	}
	if err := s.seg.append(payload); err != nil {
		s.mu.Unlock()
		return err
	}
	s.seq++
	my := s.seq
	if s.mem == nil {
		// Index sized once: growing by doubling would hold up to twice
		// the part's rows and copy them on the way.
		s.mem = newPartBuf(s.cfg.PartRows + 4096)
	}
	if err := s.mem.add(b); err != nil {
		// The record is in the WAL but not acknowledged; replay after a
		// restart stores it (at least once is all a refusal promises).
		s.mu.Unlock()
		return err
	}
	var job *flushJob
	if len(s.mem.rows) >= s.cfg.PartRows {
		// Rotate: the old segment holds exactly s.mem. It is flushed
		// and fsync'd here, under mu, so that no waiter can see a sync
		// of the next segment before its own record is durable.
		s.segNo++
		job = &flushJob{rows: s.mem, seg: s.seg, name: fmt.Sprintf("part-%08d", s.segNo)}
		s.mem = nil
		if err := job.seg.close(); err != nil {
			s.mu.Unlock()
			return err
		}
		if s.seg, err = createSegment(s.segPath()); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	s.mu.Unlock()
	if job != nil {
		select {
		case s.flushes <- *job: // unbuffered: blocks while a part is being written (backpressure), so at most three parts are in memory (writing, handed over, filling)
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	}
	return s.sync(my)
}

// sync makes every record up to my durable (group commit: one fsync
// covers all the records appended before it).
func (s *Store) sync(my uint64) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.synced >= my {
		return nil
	}
	s.mu.Lock()
	seg, upto := s.seg, s.seq
	err := seg.flush()
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := seg.f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("sync WAL %s: %w", seg.path, err)
	}
	// A segment rotated (closed and synced) meanwhile covered the rest.
	s.synced = upto
	return nil
}

func (s *Store) flusher() {
	defer s.flushWG.Done()
	for job := range s.flushes {
		m, err := writePart(s.cfg.Dir, job.name, job.rows, s.cfg.RowGroupRows, s.cfg.PageBytes, s.cfg.Order)
		err = errors.Join(err, job.rows.free())
		if err == nil {
			err = os.Remove(job.seg.path)
		}
		if err == nil {
			// Open the part now, not on its first lookup: the footer and
			// page indexes are parsed once, off the query path.
			var p *openPart
			if p, err = s.readers.get(filepath.Join(s.cfg.Dir, m.File)); p != nil {
				err = errors.Join(err, s.readers.release(p))
			}
		}
		s.flushMu.Lock()
		if err != nil {
			s.flushEr = errors.Join(s.flushEr, err)
		} else {
			s.metas = append(s.metas, m)
		}
		s.flushMu.Unlock()
	}
}

// Close writes the rows still in memory as a last part and removes the
// WAL.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	seg, rows := s.seg, s.mem
	s.mem = nil
	s.segNo++
	name := fmt.Sprintf("part-%08d", s.segNo)
	s.mu.Unlock()
	err := seg.close()
	close(s.flushes)
	s.flushWG.Wait()
	if err == nil && rows != nil && len(rows.rows) > 0 {
		var m *PartMeta
		m, err = writePart(s.cfg.Dir, name, rows, s.cfg.RowGroupRows, s.cfg.PageBytes, s.cfg.Order)
		if err = errors.Join(err, rows.free()); err == nil {
			s.metas = append(s.metas, m)
		}
	}
	if err == nil {
		err = os.Remove(seg.path)
	}
	return errors.Join(err, s.flushEr, s.readers.close())
}

// Parts returns the index of every published part.
func (s *Store) Parts() []*PartMeta {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	return slices.Clone(s.metas)
}

// Files returns the paths of the parts that may hold traceID ("" = all).
func (s *Store) Files(traceID string) []string {
	var out []string
	for _, m := range s.Parts() {
		if traceID == "" || m.MayContain(traceID) {
			out = append(out, filepath.Join(s.cfg.Dir, m.File))
		}
	}
	return out
}

// ViewSQL is a DuckDB query over files that exposes the ClickHouse
// exporter's otel_traces columns: Map columns as MAPs, IDs as lowercase
// hex (the empty string for an empty ID). where, if not empty, filters the stored columns
// before that (IDs are BLOBs there: TraceId = unhex(?)), so that
// DuckDB can prune row groups by their statistics and bloom filters.
func ViewSQL(files []string, where string) string {
	list := "["
	for i, f := range files {
		if i > 0 {
			list += ", "
		}
		list += "'" + f + "'"
	}
	list += "]"
	if where != "" {
		where = " WHERE " + where
	}
	return `SELECT * REPLACE (
  lower(hex(TraceId)) AS TraceId, lower(hex(SpanId)) AS SpanId, lower(hex(ParentSpanId)) AS ParentSpanId,
  map(ResourceAttributes.keys, ResourceAttributes.values) AS ResourceAttributes,
  map(SpanAttributes.keys, SpanAttributes.values) AS SpanAttributes,
  map(ScopeAttributes.keys, ScopeAttributes.values) AS ScopeAttributes)
FROM read_parquet(` + list + `)` + where
}
