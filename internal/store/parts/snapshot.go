package parts

import (
	"context"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// Snapshot is a set of published parts leased by a reader: none of its
// files is deleted (by a merge or DropBefore) until Release.
type Snapshot struct {
	Files []string // absolute paths of the parts' Parquet files
	Metas []*PartMeta

	t     *Table
	parts []*livePart
	once  sync.Once
}

// Release ends the lease; files of parts merged or dropped meanwhile are
// deleted now. Calling it again does nothing.
func (s *Snapshot) Release() {
	s.once.Do(func() {
		if s.t == nil {
			return
		}
		s.t.mu.Lock()
		var gone []*PartMeta
		for _, p := range s.parts {
			p.refs--
			if p.retired && p.refs == 0 {
				gone = append(gone, p.meta)
			}
		}
		s.t.mu.Unlock()
		s.t.remove(gone)
	})
}

// remove deletes retired parts' files (their leases are over).
func (t *Table) remove(ms []*PartMeta) {
	for _, m := range ms {
		t.files.forget(filepath.Join(t.cfg.Dir, m.File()))
		if err := removePart(t.cfg.Dir, m); err != nil {
			// Harmless but for disk space: a part covered by a merged
			// one is deleted at the next Open; a dropped one is not.
			t.log.Warn("removing a retired part failed", "part", m.File(), "err", err)
		}
	}
}

// Snapshot makes every acknowledged row visible (the head, if it holds
// rows, is cut into a part, and the parts cut before are waited for),
// then returns the published parts whose [MinTimestamp, MaxTimestamp]
// overlaps [start, end] (a zero start or end is unbounded), leased.
func (t *Table) Snapshot(ctx context.Context, start, end time.Time) (*Snapshot, error) {
	lo, hi := int64(-1<<63), int64(1<<63-1)
	if !start.IsZero() {
		lo = start.UnixNano()
	}
	if !end.IsZero() {
		hi = end.UnixNano()
	}
	return t.snapshot(ctx, func(m *PartMeta) bool { return m.MaxTimestamp >= lo && m.MinTimestamp <= hi })
}

// SnapshotTrace is Snapshot for the parts whose TraceId bloom filter may
// hold traceID (32 hex characters; anything else is an error wrapping
// store.ErrInvalidArgument).
func (t *Table) SnapshotTrace(ctx context.Context, traceID string) (*Snapshot, error) {
	if len(traceID) != 32 {
		return nil, fmt.Errorf("%w: trace ID %q is not 32 hex characters", store.ErrInvalidArgument, traceID)
	}
	if _, err := hex.DecodeString(traceID); err != nil {
		return nil, fmt.Errorf("%w: trace ID %q is not 32 hex characters", store.ErrInvalidArgument, traceID)
	}
	return t.snapshot(ctx, func(m *PartMeta) bool { return m.MayContain(traceID) })
}

func (t *Table) snapshot(ctx context.Context, keep func(*PartMeta) bool) (*Snapshot, error) {
	t.syncMu.Lock()
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		t.syncMu.Unlock()
		return nil, store.ErrClosed
	}
	if err := t.cutLocked(); err != nil {
		t.mu.Unlock()
		t.syncMu.Unlock()
		return nil, err
	}
	wait := slices.Clone(t.pending)
	failed := t.failed
	t.mu.Unlock()
	t.syncMu.Unlock()
	for _, j := range wait {
		for done := false; !done; {
			select {
			case <-j.done:
				done = true
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-failed:
				t.mu.Lock()
				err := j.err
				failed = t.failed
				t.mu.Unlock()
				select {
				case <-j.done:
					done = true
					continue
				default:
				}
				if err != nil {
					return nil, fmt.Errorf("%w: acknowledged rows are not readable yet: writing their part failed: %w", store.ErrUnavailable, err)
				}
			}
		}
	}
	s := &Snapshot{t: t}
	t.mu.Lock()
	for _, p := range t.parts {
		if keep(p.meta) {
			p.refs++
			s.parts = append(s.parts, p)
			s.Metas = append(s.Metas, p.meta)
			s.Files = append(s.Files, filepath.Join(t.cfg.Dir, p.meta.File()))
		}
	}
	t.mu.Unlock()
	return s, nil
}

// DropBefore deletes every part whose MaxTimestamp is before cutoff (at
// once, or when the last Snapshot leasing it is released) and returns the
// rows dropped. Rows not yet in a part are dropped by a later call.
func (t *Table) DropBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	c := cutoff.UnixNano()
	var rows int64
	var gone []*PartMeta
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return 0, store.ErrClosed
	}
	t.parts = slices.DeleteFunc(t.parts, func(p *livePart) bool {
		if p.meta.MaxTimestamp >= c {
			return false
		}
		p.retired = true
		rows += p.meta.Rows
		if p.refs == 0 {
			gone = append(gone, p.meta)
		}
		return true
	})
	t.mu.Unlock()
	t.remove(gone)
	t.dropped.Add(rows)
	return rows, nil
}
