package parts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
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

	// Lock order: syncMu, then mu.
	syncMu sync.Mutex // one fsync at a time; held to cut the head too

	mu       sync.Mutex // guards everything below, and the WAL segment's buffer
	seg      *walSegment
	segNo    int         // number of seg: the part its rows become
	spare    *walSegment // segment segNo+1, created ahead by a cut (seal.go); nil if none
	head     *partBuf
	headAt   time.Time // when the head's first row arrived
	synced   bufMark   // the head's state at seg's last fsync (rollback point)
	cur      *syncBatch
	buffered int64 // memBytes of the head and the pending parts
	pending  []*flushJob
	parts    []*livePart // published, sorted by First
	walErr   error       // the WAL needs repair (a rollback or segment creation failed): inserts fail until it succeeds
	closed   bool
	failed   chan struct{} // closed (and replaced) when a part write fails
	walBytes int64         // bytes of closed segments not yet deleted

	recMu    sync.Mutex // guards recycled (taken without mu: segments are created outside it)
	recycled []string   // files of segments whose parts are published, to reuse (wal_reuse.go)

	mergeMu sync.Mutex // held by the merge running

	files  *openFiles // part files kept open for TraceSpans
	chunks chunkPool  // the heads' freed chunks, for the next heads

	wakeFlush, wakeMerge chan struct{}
	stop                 chan struct{}
	wg                   sync.WaitGroup
	closeErr             error // a part the flusher could not write at Close

	refused, merges, mergedRows, dropped atomic.Int64
	walFailures, partFailures            atomic.Int64
}

// syncBatch is the records appended since the last fsync (group commit):
// the fsync that covers them (or a segment's seal) completes it, and so
// does a failure, with the error every insert in it returns.
type syncBatch struct {
	done chan struct{}
	err  error
}

func (b *syncBatch) complete(err error) {
	b.err = err
	close(b.done)
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
	busy bool // a flusher is writing it
	// sealed: seg is fsync'd and holds exactly rows (the flushers take
	// only sealed jobs; a cut's seal runs outside t.mu, see seal.go).
	sealed bool
	done   chan struct{} // closed once the part is published
	err    error         // the last failed attempt
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
		stop: make(chan struct{}), files: newOpenFiles(maxOpenFiles)}
	t.enc.New = func() any { return &encBatch{} }
	t.chunks.max = poolSize(cfg.MaxBufferedBytes)
	metas, err := loadParts(cfg.Dir)
	if err != nil {
		return nil, err
	}
	for _, m := range metas {
		t.parts = append(t.parts, &livePart{meta: m})
		t.segNo = max(t.segNo, m.Last)
	}
	// The chunks recovery pooled are unmapped if Open fails after it.
	if err := t.recover(ctx); err != nil {
		return nil, errors.Join(err, t.chunks.drain())
	}
	if err := t.adoptRecycled(); err != nil {
		return nil, errors.Join(fmt.Errorf("open %s: kept WAL files: %w", cfg.Dir, err), t.chunks.drain())
	}
	t.segNo++
	if t.seg, err = t.newSegment(t.segNo); err != nil {
		return nil, errors.Join(err, t.chunks.drain())
	}
	t.wg.Add(2 + flushers)
	for range flushers {
		go t.flusher()
	}
	go t.merger()
	go t.ticker()
	if cfg.Kind == Traces {
		t.wg.Add(1)
		go t.warmIndexes()
	}
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
		if slices.ContainsFunc(t.parts, func(lp *livePart) bool { return lp.meta.holds(no, noHour) }) {
			// Published (before hour buckets) before the crash, the
			// segment not yet deleted: replaying it would store its rows
			// twice.
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("recover %s: %w", p, err)
			}
			continue
		}
		rows := newPartBuf(0, &t.chunks)
		var b encBatch
		_, err := replaySegment(p, func(rec []byte) error {
			if err := b.fromWAL(rec, t.cfg.Kind); err != nil {
				return err
			}
			return rows.add(&b)
		})
		if err == nil && len(rows.rows) > 0 {
			// The hour buckets published before the crash are skipped:
			// their parts (or a merge of them) hold those rows already.
			var ms []*PartMeta
			ms, err = t.writeParts(no, rows, func(hour int64) bool {
				return slices.ContainsFunc(t.parts, func(lp *livePart) bool { return lp.meta.holds(no, hour) })
			})
			for _, m := range ms {
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
	slices.SortFunc(t.parts, func(a, b *livePart) int { return comparePart(a.meta, b.meta) })
	return nil
}

// insertPartLocked adds a published part to t.parts, in order (parts
// may be published out of order).
func (t *Table) insertPartLocked(m *PartMeta) {
	at, _ := slices.BinarySearchFunc(t.parts, m, func(p *livePart, m *PartMeta) int { return comparePart(p.meta, m) })
	t.parts = slices.Insert(t.parts, at, &livePart{meta: m})
}

func (t *Table) signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// InsertTraces stores td durably: it returns after the fsync that covers
// td's WAL record. Rows become visible to Snapshot at once (Snapshot cuts
// the head). All or nothing: an error means nothing of td is stored (a
// failed WAL write or fsync truncates the segment back to its last
// fsync; only a crash before that truncation could be made durable
// would replay the refused record).
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
	// The WAL record is not built: the segment writes its header, prefix
	// and b.buf from where they are (one copy of the batch less, ≈ 1 MB
	// of live heap per request in flight).
	b.rec = b.walPrefix(append(b.rec[:0], make([]byte, 8)...), t.cfg.Kind)
	if n := len(b.rec) - 8 + len(b.buf); n > maxRecord {
		return fmt.Errorf("%w: the request's WAL record of %d bytes is over the %d byte limit: send smaller requests",
			store.ErrInvalidArgument, n, maxRecord)
	}
	cost := batchCost(len(b.buf), len(b.rows))
	t.mu.Lock()
	if t.walErr != nil && !t.closed {
		t.repairLocked()
	}
	switch {
	case t.closed:
		t.mu.Unlock()
		return store.ErrClosed
	case t.walErr != nil:
		err := t.walErr
		t.mu.Unlock()
		return fmt.Errorf("%w: the %s WAL cannot be written (%w); retried at the next insert", store.ErrUnavailable, t.cfg.Kind, err)
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
	if t.head == nil {
		// The sort index grows with the head: a head cut early (Snapshot,
		// FlushInterval) does not cost a full part's index.
		t.head = newPartBuf(min(t.cfg.PartRows, 4096), &t.chunks)
		t.headAt = time.Now()
	}
	// The head first: a failed add (no memory to map) changed nothing,
	// and nothing was written to the WAL.
	before := t.head.memBytes()
	if err := t.head.add(b); err != nil {
		t.dropEmptyHeadLocked()
		t.mu.Unlock()
		return fmt.Errorf("%w: %w", store.ErrOverloaded, err)
	}
	t.buffered += t.head.memBytes() - before
	// The record joins the segment's list, from b's buffers (no copy, no
	// I/O under t.mu; b is not reused before this insert returns); the
	// group commit below writes and fsyncs it.
	appendErr := t.seg.append(b.rec[:8:8], b.rec[8:], b.buf)
	if t.cur == nil {
		t.cur = &syncBatch{done: make(chan struct{})}
	}
	my := t.cur
	// A head of a third of the buffer is cut too, so that a small budget
	// (a 512 MiB container) still holds the head filling, one part
	// handed over and one being written, with parts under PartRows.
	cut := appendErr == nil && t.cutDueLocked()
	t.mu.Unlock()
	t.syncMu.Lock()
	defer t.syncMu.Unlock()
	if cut {
		t.mu.Lock()
		if t.cutDueLocked() {
			// Sealing the segment makes the record durable (or fails my).
			if err := t.cutLocked(); err != nil {
				t.log.Error("cutting the head failed", "err", err)
			}
		}
		t.mu.Unlock()
	}
	return t.syncHeld(my)
}

// cutDueLocked reports whether the head is full.
func (t *Table) cutDueLocked() bool {
	return t.head != nil && (len(t.head.rows) >= t.cfg.PartRows || t.head.memBytes() >= t.cfg.MaxBufferedBytes/3)
}

// dropEmptyHeadLocked frees a head without rows.
func (t *Table) dropEmptyHeadLocked() {
	if t.head != nil && len(t.head.rows) == 0 {
		t.buffered -= t.head.memBytes()
		if err := t.head.free(); err != nil {
			t.log.Warn("freeing part buffer failed", "err", err)
		}
		t.head = nil
	}
}

// syncHeld makes the records of b durable (group commit: one fsync
// covers every record appended before it). t.syncMu must be held.
func (t *Table) syncHeld(b *syncBatch) error {
	select {
	case <-b.done:
		return b.err // synced, sealed or failed while we waited
	default:
	}
	// b is t.cur: a batch taken from t.cur is completed before syncMu is
	// released, and t.seg changes only under syncMu.
	// Only the copy of the buffered records is taken under t.mu: their
	// write and fsync run without it (issue 10: a write under dirty-page
	// throttling held the lock for up to 190 ms), so inserts go on being
	// appended meanwhile, for the next group commit.
	t.mu.Lock()
	t.cur = nil
	seg, mark := t.seg, t.head.mark()
	p, off := seg.take(), seg.size
	t.mu.Unlock()
	err := seg.write(p)
	if err == nil {
		err = seg.sync()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		return t.failLocked(b, err)
	}
	seg.synced, t.synced = off, mark
	b.complete(nil)
	return nil
}

// failLocked handles a failed WAL write or fsync (cause): every record
// not yet durable is refused (b, the batch being synced if any, and the
// records appended since get the error), the segment is truncated back
// to its last fsync'd offset and the head back to the rows it then held,
// so inserts work again as soon as the disk has room. If the truncation
// fails too, inserts are refused until a repair (retried by every insert
// and by the ticker) succeeds. Both t.syncMu and t.mu must be held.
func (t *Table) failLocked(b *syncBatch, cause error) error {
	t.walFailures.Add(1)
	err := fmt.Errorf("%w: writing the %s WAL failed, so nothing of the request is stored: %w",
		store.ErrUnavailable, t.cfg.Kind, cause)
	for _, x := range []*syncBatch{b, t.cur} {
		if x != nil {
			x.complete(err)
		}
	}
	t.cur = nil
	if t.head != nil {
		before := t.head.memBytes()
		if ferr := t.head.truncate(t.synced); ferr != nil {
			t.log.Warn("freeing part buffer failed", "err", ferr)
		}
		t.buffered -= before - t.head.memBytes()
		t.dropEmptyHeadLocked()
	}
	if rerr := t.seg.rollback(); rerr != nil {
		t.walErr = rerr
		t.log.Error("cannot truncate the WAL after a failed write; inserts fail until it succeeds", "err", rerr)
	}
	t.log.Error("writing the WAL failed; the requests not yet synced are refused", "err", cause)
	return err
}

// repairLocked retries what a failed WAL write left undone: the
// segment's truncation, or the creation of the next segment.
func (t *Table) repairLocked() {
	var err error
	if t.seg == nil {
		t.seg, err = t.newSegment(t.segNo)
	} else {
		err = t.seg.rollback()
	}
	if err != nil {
		t.walErr = err
		return
	}
	t.walErr = nil
	t.log.Info("the WAL is writable again")
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
			if !j.busy && j.sealed {
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
		ms, err := t.writeParts(job.no, job.rows, nil)
		t.mu.Lock()
		if err != nil {
			t.partFailures.Add(1)
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
		for _, m := range ms {
			t.insertPartLocked(m)
		}
		close(job.done)
		t.mu.Unlock()
		t.recycle(job.seg.path, job.no)
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
			t.syncMu.Lock()
			t.mu.Lock()
			if t.walErr != nil && !t.closed {
				t.repairLocked()
			}
			if t.head != nil && len(t.head.rows) > 0 && now.Sub(t.headAt) >= t.cfg.FlushInterval && !t.closed {
				if err := t.cutLocked(); err != nil {
					t.log.Error("cutting the head failed", "err", err)
				}
			}
			t.mu.Unlock()
			t.syncMu.Unlock()
		}
	}
}

// Close writes the head as a last part, waits for every pending part and
// removes the WAL. A part that cannot be written keeps its WAL segment
// (written at the next Open) and Close reports it.
func (t *Table) Close() error {
	t.syncMu.Lock()
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		t.syncMu.Unlock()
		return nil
	}
	t.closed = true
	err := t.cutLocked()
	seg, spare := t.seg, t.spare
	t.seg, t.spare = nil, nil
	if t.cur != nil { // only after a failed cut
		t.cur.complete(store.ErrClosed)
		t.cur = nil
	}
	t.mu.Unlock()
	t.syncMu.Unlock()
	close(t.stop)
	t.wg.Wait()
	if seg != nil {
		// The segment started by the cut (or never used): empty unless
		// the cut failed, when it keeps its durable rows for the next
		// Open.
		cerr := seg.close()
		if err == nil && cerr == nil {
			cerr = os.Remove(seg.path)
		}
		err = errors.Join(err, cerr)
	}
	if spare != nil { // empty
		err = errors.Join(err, spare.f.Close(), os.Remove(spare.path))
	}
	err = errors.Join(err, t.dropRecycled())
	t.mu.Lock()
	if t.head != nil {
		_ = t.head.free()
		t.head = nil
	}
	t.mu.Unlock()
	return errors.Join(err, t.closeErr, t.files.close(), t.chunks.drain())
}

// Err reports why the table cannot take or store writes right now (nil
// when it can): the WAL cannot be written (a failed truncation or
// segment creation, retried by every insert and every FlushInterval/4),
// or a part write failing (retried every second; its rows stay in memory
// and in their WAL segment). The error wraps store.ErrUnavailable.
func (t *Table) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	if t.walErr != nil {
		return fmt.Errorf("%w: the %s WAL cannot be written: %w", store.ErrUnavailable, t.cfg.Kind, t.walErr)
	}
	for _, j := range t.pending {
		if j.err != nil {
			return fmt.Errorf("%w: writing a %s part failed (retried every second; its rows are kept in memory and in the WAL): %w",
				store.ErrUnavailable, t.cfg.Kind, j.err)
		}
	}
	return nil
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
	WALFailures   int64 // failed WAL writes or fsyncs since Open (their requests were refused)
	PartFailures  int64 // failed part writes since Open (retried)
}

// Stats returns the table's current figures.
func (t *Table) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := Stats{Parts: len(t.parts), BufferedBytes: t.buffered, PendingParts: len(t.pending), WALBytes: t.walBytes,
		Merges: t.merges.Load(), MergedRows: t.mergedRows.Load(), Refused: t.refused.Load(), DroppedRows: t.dropped.Load(),
		WALFailures: t.walFailures.Load(), PartFailures: t.partFailures.Load()}
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
