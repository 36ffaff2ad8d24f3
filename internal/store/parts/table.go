package parts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/store"
)

// Table is one table (otel_traces or otel_logs) stored as Parquet parts
// behind a WAL. It is safe for concurrent use.
type Table struct {
	cfg Config
	log *slog.Logger
	enc sync.Pool // *encBatch

	mu       sync.Mutex // guards everything below, and the WAL segment's buffer
	seg      *walSegment
	segNo    int // number of seg: the part its rows become
	head     *partBuf
	headAt   time.Time // when the head's first row arrived
	seq      uint64    // records appended
	rotated  uint64    // records made durable by a segment's close
	buffered int64     // memBytes of the head and the pending parts
	pending  []*flushJob
	parts    []*livePart // published, sorted by First
	walErr   error       // the WAL is unusable: every insert fails with it
	closed   bool
	failed   chan struct{} // closed (and replaced) when a part write fails
	walBytes int64         // bytes of closed segments not yet deleted

	syncMu sync.Mutex // one fsync at a time; a sync covers every record before it
	synced uint64

	mergeMu sync.Mutex // held by the merge running

	wakeFlush, wakeMerge chan struct{}
	stop                 chan struct{}
	wg                   sync.WaitGroup
	closeErr             error // a part the flusher could not write at Close

	refused, merges, mergedRows, dropped atomic.Int64
}

// livePart is a published part.
type livePart struct {
	meta    *PartMeta
	refs    int  // Snapshots leasing it
	retired bool // merged into another part or dropped: deleted when refs is 0
}

// flushJob is a head cut into a part, waiting for (or being) written.
type flushJob struct {
	rows *partBuf
	seg  *walSegment // the closed segment holding exactly these rows
	no   int
	mem  int64
	busy bool          // a flusher is writing it
	done chan struct{} // closed once the part is published
	err  error         // the last failed attempt
}

// Open opens (creating) the table in cfg.Dir. What a crash left is
// repaired first: parts covered by a merged part are deleted, and every
// WAL segment whose part was not published is written into its part
// (replay stops at a torn or corrupt tail, which was never
// acknowledged).
func Open(ctx context.Context, cfg Config) (*Table, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("create parts dir: %w", err)
	}
	t := &Table{cfg: cfg, log: cfg.Logger.With("table", cfg.Kind.table().Name),
		failed: make(chan struct{}), wakeFlush: make(chan struct{}, 1), wakeMerge: make(chan struct{}, 1),
		stop: make(chan struct{})}
	t.enc.New = func() any { return &encBatch{} }
	metas, err := loadParts(cfg.Dir)
	if err != nil {
		return nil, err
	}
	for _, m := range metas {
		t.parts = append(t.parts, &livePart{meta: m})
		t.segNo = max(t.segNo, m.Last)
	}
	if err := t.recover(ctx); err != nil {
		return nil, err
	}
	t.segNo++
	if t.seg, err = createSegment(filepath.Join(cfg.Dir, walName(t.segNo))); err != nil {
		return nil, err
	}
	t.wg.Add(2 + flushers)
	for range flushers {
		go t.flusher()
	}
	go t.merger()
	go t.ticker()
	t.signal(t.wakeMerge)
	return t, nil
}

// recover writes each WAL segment not covered by a published part into
// its part, and deletes the segments.
func (t *Table) recover(ctx context.Context) error {
	segs, err := filepath.Glob(filepath.Join(t.cfg.Dir, "wal-*.log"))
	if err != nil {
		return err
	}
	slices.Sort(segs)
	for _, p := range segs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var no int
		if _, err := fmt.Sscanf(filepath.Base(p), "wal-%d.log", &no); err != nil || no < 1 {
			return fmt.Errorf("recover: unexpected file %s in %s: move it away", filepath.Base(p), t.cfg.Dir)
		}
		t.segNo = max(t.segNo, no)
		if slices.ContainsFunc(t.parts, func(lp *livePart) bool { return lp.meta.First <= no && no <= lp.meta.Last }) {
			// Published before the crash, the segment not yet deleted:
			// replaying it would store its rows twice.
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("recover %s: %w", p, err)
			}
			continue
		}
		rows := newPartBuf(0)
		var b encBatch
		_, err := replaySegment(p, func(rec []byte) error {
			if err := b.fromWAL(rec, t.cfg.Kind); err != nil {
				return err
			}
			return rows.add(&b)
		})
		if err == nil && len(rows.rows) > 0 {
			var m *PartMeta
			if m, err = writePart(t.cfg.Dir, t.cfg.Kind, no, rows, t.cfg.RowGroupRows); err == nil {
				t.parts = append(t.parts, &livePart{meta: m})
			}
		}
		err = errors.Join(err, rows.free())
		if err != nil {
			return fmt.Errorf("recover %s: %w (the file is kept; move it away to open without its rows)", p, err)
		}
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("recover %s: %w", p, err)
		}
	}
	slices.SortFunc(t.parts, func(a, b *livePart) int { return a.meta.First - b.meta.First })
	return nil
}

func (t *Table) signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// InsertTraces stores td durably: it returns after the fsync that covers
// td's WAL record. Rows become visible to Snapshot at once (Snapshot cuts
// the head). All or nothing: an error means nothing of td is stored,
// except after a failed fsync (the record may then be replayed).
func (t *Table) InsertTraces(ctx context.Context, td ptrace.Traces) error {
	if t.cfg.Kind != Traces {
		return fmt.Errorf("parts: InsertTraces on a %s table", t.cfg.Kind)
	}
	return t.insert(ctx, func(b *encBatch) { b.encodeTraces(td) })
}

// InsertLogs is InsertTraces for log records.
func (t *Table) InsertLogs(ctx context.Context, ld plog.Logs) error {
	if t.cfg.Kind != Logs {
		return fmt.Errorf("parts: InsertLogs on a %s table", t.cfg.Kind)
	}
	return t.insert(ctx, func(b *encBatch) { b.encodeLogs(ld) })
}

func (t *Table) insert(ctx context.Context, encode func(*encBatch)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := t.enc.Get().(*encBatch)
	defer t.enc.Put(b)
	b.reset()
	encode(b)
	if len(b.rows) == 0 {
		return nil
	}
	b.rec = b.walRecord(b.rec[:0], t.cfg.Kind)
	cost := batchCost(len(b.buf), len(b.rows))
	t.mu.Lock()
	switch {
	case t.closed:
		t.mu.Unlock()
		return store.ErrClosed
	case t.walErr != nil:
		err := t.walErr
		t.mu.Unlock()
		return fmt.Errorf("%w: the %s WAL failed earlier (%w); restart to recover", store.ErrUnavailable, t.cfg.Kind, err)
	case cost > t.cfg.MaxBufferedBytes/2:
		t.mu.Unlock()
		return fmt.Errorf("%w: the request's %d rows take %d bytes encoded, more than half of the %d bytes the store buffers (parts MaxBufferedBytes): send smaller requests",
			store.ErrInvalidArgument, len(b.rows), cost, t.cfg.MaxBufferedBytes)
	case t.buffered+cost > t.cfg.MaxBufferedBytes:
		buffered := t.buffered
		t.mu.Unlock()
		t.refused.Add(1)
		return fmt.Errorf("%w: %d bytes of %s are waiting to be written as parts and this request adds %d, over the limit of %d (parts MaxBufferedBytes)",
			store.ErrOverloaded, buffered, t.cfg.Kind, cost, t.cfg.MaxBufferedBytes)
	}
	if err := t.seg.append(b.rec); err != nil {
		t.walErr = err
		t.mu.Unlock()
		return err
	}
	t.seq++
	my := t.seq
	if t.head == nil {
		// The sort index grows with the head: a head cut early (Snapshot,
		// FlushInterval) does not cost a full part's index.
		t.head = newPartBuf(min(t.cfg.PartRows, 4096))
		t.headAt = time.Now()
	}
	before := t.head.memBytes()
	if err := t.head.add(b); err != nil {
		t.mu.Unlock()
		// The record is in the WAL but not acknowledged: a replay after
		// a crash may store it (at least once is all a refusal promises).
		return fmt.Errorf("%w: %w", store.ErrOverloaded, err)
	}
	t.buffered += t.head.memBytes() - before
	// A head of a third of the buffer is cut too, so that a small budget
	// (a 512 MiB container) still holds the head filling, one part
	// handed over and one being written, with parts under PartRows.
	cut := len(t.head.rows) >= t.cfg.PartRows || t.head.memBytes() >= t.cfg.MaxBufferedBytes/3
	if cut {
		err := t.cutLocked()
		t.mu.Unlock()
		return err // nil: the rotation fsync'd the segment holding the record
	}
	t.mu.Unlock()
	return t.sync(my)
}

// sync makes every record up to my durable (group commit: one fsync
// covers all the records appended before it).
func (t *Table) sync(my uint64) error {
	t.syncMu.Lock()
	defer t.syncMu.Unlock()
	if t.synced >= my {
		return nil
	}
	t.mu.Lock()
	if my <= t.rotated {
		t.mu.Unlock()
		return nil
	}
	if t.walErr != nil {
		err := t.walErr
		t.mu.Unlock()
		return fmt.Errorf("%w: WAL: %w", store.ErrUnavailable, err)
	}
	seg, upto := t.seg, t.seq
	err := seg.flush()
	if err != nil {
		t.walErr = err
	}
	t.mu.Unlock()
	if err != nil {
		return err
	}
	if err := seg.f.Sync(); err != nil {
		t.mu.Lock()
		defer t.mu.Unlock()
		if errors.Is(err, os.ErrClosed) && my <= t.rotated {
			return nil // rotated meanwhile: its close fsync'd the segment
		}
		if t.walErr == nil {
			t.walErr = err
		}
		return fmt.Errorf("sync WAL %s: %w", seg.path, t.walErr)
	}
	t.synced = upto
	return nil
}

// cutLocked turns the head into a pending part: the WAL segment holding
// exactly its rows is closed (fsync'd) and a new one started, and the
// flusher writes the part. An error means the segment could not be made
// durable; the table then refuses inserts (walErr).
func (t *Table) cutLocked() error {
	if t.head == nil || len(t.head.rows) == 0 {
		return nil
	}
	if t.walErr != nil {
		return fmt.Errorf("%w: WAL: %w", store.ErrUnavailable, t.walErr)
	}
	seg := t.seg
	if err := seg.close(); err != nil {
		t.walErr = err
		return fmt.Errorf("close WAL segment: %w", err)
	}
	t.rotated = t.seq
	job := &flushJob{rows: t.head, seg: seg, no: t.segNo, mem: t.head.memBytes(), done: make(chan struct{})}
	t.walBytes += seg.size
	t.pending = append(t.pending, job)
	t.head = nil
	t.segNo++
	var err error
	if t.seg, err = createSegment(filepath.Join(t.cfg.Dir, walName(t.segNo))); err != nil {
		t.seg, t.walErr = nil, err
		t.log.Error("cannot start a WAL segment: inserts fail until restart", "err", err)
	}
	t.signal(t.wakeFlush)
	return nil
}

// flushers is how many goroutines write parts: two, so that part writing
// (≈ 60% of the CPU per row) can use both cores of a small machine when
// ingest outpaces one.
const flushers = 2

// flusher writes pending parts, oldest first; the flushers write two at
// a time. A failed write is retried (its rows stay in memory, counted
// against MaxBufferedBytes, and in their WAL segment).
func (t *Table) flusher() {
	defer t.wg.Done()
	for {
		t.mu.Lock()
		var job *flushJob
		more := false
		for _, j := range t.pending {
			if !j.busy {
				if job != nil {
					more = true
					break
				}
				job = j
			}
		}
		if job == nil {
			t.mu.Unlock()
			select {
			case <-t.stop:
				return // nothing left this flusher can take
			default:
			}
			select {
			case <-t.wakeFlush:
			case <-t.stop:
			}
			continue
		}
		job.busy = true
		t.mu.Unlock()
		if more {
			t.signal(t.wakeFlush) // the other flusher takes the next one
		}
		m, err := writePart(t.cfg.Dir, t.cfg.Kind, job.no, job.rows, t.cfg.RowGroupRows)
		t.mu.Lock()
		if err != nil {
			job.busy, job.err = false, err
			close(t.failed)
			t.failed = make(chan struct{})
			t.mu.Unlock()
			t.log.Error("writing a part failed; retrying in 1s", "part", job.no, "err", err)
			select {
			case <-time.After(time.Second):
				continue
			case <-t.stop:
				t.mu.Lock()
				t.closeErr = fmt.Errorf("write part %d: %w (its rows stay in the WAL and are written at the next Open)", job.no, err)
				t.mu.Unlock()
				return
			}
		}
		t.pending = slices.DeleteFunc(t.pending, func(j *flushJob) bool { return j == job })
		t.buffered -= job.mem
		t.walBytes -= job.seg.size
		// Parts may be published out of order: keep t.parts sorted.
		at, _ := slices.BinarySearchFunc(t.parts, m.First, func(p *livePart, first int) int { return p.meta.First - first })
		t.parts = slices.Insert(t.parts, at, &livePart{meta: m})
		close(job.done)
		t.mu.Unlock()
		if err := os.Remove(job.seg.path); err != nil {
			// Harmless: Open deletes a segment its part covers.
			t.log.Warn("removing a written WAL segment failed", "err", err)
		}
		if err := job.rows.free(); err != nil {
			t.log.Warn("freeing part buffer failed", "err", err)
		}
		t.signal(t.wakeMerge)
	}
}

// ticker cuts the head once its oldest row is FlushInterval old.
func (t *Table) ticker() {
	defer t.wg.Done()
	tk := time.NewTicker(max(t.cfg.FlushInterval/4, 10*time.Millisecond))
	defer tk.Stop()
	for {
		select {
		case <-t.stop:
			return
		case now := <-tk.C:
			t.mu.Lock()
			if t.head != nil && len(t.head.rows) > 0 && now.Sub(t.headAt) >= t.cfg.FlushInterval && !t.closed {
				if err := t.cutLocked(); err != nil {
					t.log.Error("cutting the head failed", "err", err)
				}
			}
			t.mu.Unlock()
		}
	}
}

// writePart sorts p's rows (by ServiceName, then Timestamp: similar rows
// adjacent compress best) and writes them as part no-no, published.
func writePart(dir string, kind Kind, no int, p *partBuf, rowGroup int) (*PartMeta, error) {
	rows := p.rows
	rank := make([]uint32, len(p.svcNames)) // service id -> rank by name
	byName := make([]uint32, len(p.svcNames))
	for i := range byName {
		byName[i] = uint32(i)
	}
	slices.SortFunc(byName, func(a, b uint32) int { return strings.Compare(p.svcNames[a], p.svcNames[b]) })
	for r, id := range byName {
		rank[id] = uint32(r)
	}
	slices.SortStableFunc(rows, func(a, b rowRef) int {
		if a.svc != b.svc {
			return int(rank[a.svc]) - int(rank[b.svc])
		}
		switch {
		case a.ts < b.ts:
			return -1
		case a.ts > b.ts:
			return 1
		}
		return 0
	})
	seen := make(map[[16]byte]struct{}, len(rows)/4)
	for i := range rows {
		if rows[i].tid != ([16]byte{}) {
			seen[rows[i].tid] = struct{}{}
		}
	}
	mb := newMetaBuilder(no, no, len(seen))
	for i := range rows {
		mb.add(rows[i].ts, rows[i].tid, p.svcNames[rows[i].svc])
	}
	m := mb.finish()
	tmp := filepath.Join(dir, partName(no, no)+".parquet.tmp")
	dec := newDecoder(p, kind)
	at := 0
	var err error
	switch kind {
	case Traces:
		m.Bytes, err = writeParquet(tmp, rowGroup, func(batch []SpanRow) (int, error) {
			dec.reset()
			n := 0
			for ; n < len(batch) && at < len(rows); n, at = n+1, at+1 {
				if err := dec.span(rows[at], &batch[n]); err != nil {
					return 0, err
				}
			}
			return n, nil
		})
	default:
		m.Bytes, err = writeParquet(tmp, rowGroup, func(batch []LogRow) (int, error) {
			dec.reset()
			n := 0
			for ; n < len(batch) && at < len(rows); n, at = n+1, at+1 {
				if err := dec.log(rows[at], &batch[n]); err != nil {
					return 0, err
				}
			}
			return n, nil
		})
	}
	if err != nil {
		return nil, err
	}
	if err := publish(dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Close writes the head as a last part, waits for every pending part and
// removes the WAL. A part that cannot be written keeps its WAL segment
// (written at the next Open) and Close reports it.
func (t *Table) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	err := t.cutLocked()
	seg := t.seg
	t.seg = nil
	if t.walErr == nil {
		t.walErr = store.ErrClosed
	}
	t.mu.Unlock()
	close(t.stop)
	t.wg.Wait()
	if seg != nil && err == nil {
		// The segment started by the cut (or never used): empty unless
		// the cut failed.
		err = seg.close()
		if err == nil {
			err = os.Remove(seg.path)
		}
	}
	return errors.Join(err, t.closeErr)
}

// Stats describes a Table.
type Stats struct {
	Parts         int   // published parts
	Rows          int64 // rows in published parts
	DiskBytes     int64 // bytes of the published parts' Parquet files
	BufferedBytes int64 // encoded bytes in memory (head and parts being written)
	HeadRows      int   // rows in the head
	PendingParts  int   // cut parts not yet written
	WALBytes      int64 // bytes of WAL segments
	Merges        int64 // merges done since Open
	MergedRows    int64 // rows written by merges since Open
	Refused       int64 // inserts refused with store.ErrOverloaded since Open
	DroppedRows   int64 // rows deleted by DropBefore since Open
}

// Stats returns the table's current figures.
func (t *Table) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := Stats{Parts: len(t.parts), BufferedBytes: t.buffered, PendingParts: len(t.pending), WALBytes: t.walBytes,
		Merges: t.merges.Load(), MergedRows: t.mergedRows.Load(), Refused: t.refused.Load(), DroppedRows: t.dropped.Load()}
	for _, p := range t.parts {
		s.Rows += p.meta.Rows
		s.DiskBytes += p.meta.Bytes
	}
	if t.head != nil {
		s.HeadRows = len(t.head.rows)
	}
	if t.seg != nil {
		s.WALBytes += t.seg.size
	}
	return s
}
