package parts

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/overlook-dev/overlook/internal/store"
)

// A cut turns the head into a pending part and seals (fsyncs) the WAL
// segment holding exactly its rows. Only the swap runs under t.mu: the
// segment's buffer is written out, the next segment (created ahead, the
// spare) takes its place and the head becomes a job that the flushers do
// not take yet. The seal's fsync runs without t.mu, and so does the
// creation of the following spare (issue 10: a cut held the lock for
// 1–53 ms, the fsync and the next segment's creation with its directory
// fsync, and every insert and trace lookup waited). Inserts go on into
// the new segment and the new head meanwhile; their acknowledgements
// wait for t.syncMu, held by the cut, so the records of the sealed
// segment are acknowledged first (group commit across the two segments).
//
// A failed seal refuses exactly the records of its segment not yet
// durable: the inserts of the batch being sealed fail, the job's rows
// are truncated back to the segment's last fsync and the segment too
// (fsync'd); the rest (acknowledged rows) is written as the part. The
// records of the new segment are not touched.

// cutLocked turns the head into a pending part: the WAL segment holding
// exactly its rows is sealed (fsync'd) and closed, the next one started,
// and the flusher writes the part. If the seal fails, the records of the
// segment not yet durable are refused and the part keeps the rest.
// Both t.syncMu and t.mu must be held; t.mu is released while the seal's
// fsync runs (the table's state may change meanwhile, t.syncMu not).
func (t *Table) cutLocked() error {
	if t.head == nil || len(t.head.rows) == 0 {
		return nil
	}
	if t.walErr != nil {
		t.repairLocked()
		if t.walErr != nil {
			return fmt.Errorf("%w: WAL: %w", store.ErrUnavailable, t.walErr)
		}
		if t.head == nil {
			return nil
		}
	}
	seg := t.seg
	// The segment's buffered records are written out with the seal's
	// fsync, outside t.mu.
	p := seg.take()
	job := &flushJob{rows: t.head, seg: seg, no: t.segNo, mem: t.head.memBytes(), done: make(chan struct{})}
	batch, mark := t.cur, t.synced
	t.walBytes += seg.size
	t.pending = append(t.pending, job)
	t.head, t.synced, t.cur = nil, bufMark{}, nil
	t.segNo++
	t.nextSegmentLocked()
	// The spare after the new segment, created while the seal runs.
	spare := make(chan *walSegment, 1)
	if t.seg != nil && !t.closed {
		go func(no int) {
			s, err := t.newSegment(no)
			if err != nil {
				// The next cut creates its segment under the lock.
				t.log.Warn("creating the next WAL segment ahead failed", "err", err)
			}
			spare <- s
		}(t.segNo + 1)
	} else {
		spare <- nil
	}
	t.mu.Unlock()
	serr := seg.write(p)
	if serr == nil {
		serr = seg.sync()
	}
	next := <-spare
	t.mu.Lock()
	if next != nil {
		if t.spare != nil || t.closed {
			// Not needed (the table closed meanwhile): it is empty.
			_ = next.f.Close()
			_ = os.Remove(next.path)
		} else {
			t.spare = next
		}
	}
	if serr != nil {
		return t.failSealLocked(job, batch, mark, serr)
	}
	seg.synced = seg.size
	t.sealedLocked(job)
	if batch != nil {
		batch.complete(nil)
	}
	return nil
}

// nextSegmentLocked makes segment t.segNo the one appended to: the spare
// if there is one, else a new file (under the lock, as the first cut
// after Open does). If it cannot be created, inserts fail until a repair
// creates it.
func (t *Table) nextSegmentLocked() {
	if s := t.spare; s != nil {
		t.spare = nil
		if s.path == filepath.Join(t.cfg.Dir, walName(t.segNo)) {
			t.seg = s
			return
		}
		// BUG guard: a spare of another number is not used (it is empty).
		_ = s.f.Close()
		_ = os.Remove(s.path)
	}
	var err error
	if t.seg, err = t.newSegment(t.segNo); err != nil {
		t.seg, t.walErr = nil, err
		t.log.Error("cannot start a WAL segment: inserts fail until it can be created", "err", err)
	}
}

// sealedLocked hands a job whose segment is durable to the flushers.
func (t *Table) sealedLocked(job *flushJob) {
	if err := job.seg.f.Close(); err != nil {
		// Its bytes are durable (fsync'd): only the descriptor is lost.
		t.log.Warn("closing a WAL segment failed", "err", err)
	}
	job.sealed = true
	t.signal(t.wakeFlush)
}

// failSealLocked handles a failed seal of job's segment (cause): the
// inserts of batch (the records appended since the segment's last fsync)
// are refused, the job's rows truncated back to mark (the rows of that
// fsync) and the segment back to its fsync'd offset; the acknowledged
// rows left are written as the part, or, if none are left, the job and
// its segment are dropped. If the truncation of the file fails, the
// refused records may still be in the file: the part is written from
// memory anyway (its rows are exactly the acknowledged ones) and the
// segment deleted once it is published; only a crash before that would
// replay them. Both t.syncMu and t.mu must be held.
func (t *Table) failSealLocked(job *flushJob, batch *syncBatch, mark bufMark, cause error) error {
	t.walFailures.Add(1)
	err := fmt.Errorf("%w: writing the %s WAL failed, so nothing of the request is stored: %w",
		store.ErrUnavailable, t.cfg.Kind, cause)
	if batch != nil {
		batch.complete(err)
	}
	before := job.rows.memBytes()
	if ferr := job.rows.truncate(mark); ferr != nil {
		t.log.Warn("freeing part buffer failed", "err", ferr)
	}
	t.buffered -= before - job.rows.memBytes()
	job.mem = job.rows.memBytes()
	size := job.seg.size
	if rerr := job.seg.rollback(); rerr != nil {
		t.log.Error("cannot truncate a WAL segment after its seal failed; its part is written from memory, but a crash before that may replay the refused records",
			"segment", job.seg.path, "err", rerr)
	} else {
		t.walBytes -= size - job.seg.size
	}
	t.log.Error("sealing a WAL segment failed; the requests not yet synced are refused", "err", cause)
	if len(job.rows.rows) > 0 {
		t.sealedLocked(job)
		return err
	}
	t.pending = slices.DeleteFunc(t.pending, func(j *flushJob) bool { return j == job })
	t.buffered -= job.mem
	t.walBytes -= job.seg.size
	if ferr := job.rows.free(); ferr != nil {
		t.log.Warn("freeing part buffer failed", "err", ferr)
	}
	if cerr := job.seg.f.Close(); cerr != nil {
		t.log.Warn("closing a WAL segment failed", "err", cerr)
	}
	if rerr := os.Remove(job.seg.path); rerr != nil {
		t.log.Warn("removing an empty WAL segment failed", "err", rerr)
	}
	close(job.done)
	return err
}
