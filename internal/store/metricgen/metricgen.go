// Package metricgen keeps the write generations of a metrics store: per
// hour of sample time, the sequence number of the last write that changed
// the points of that hour. A results cache (internal/prom/promcache) reads
// the sequence before it evaluates a query and keeps a result only while
// no hour the result read from was written since: exact invalidation,
// without a TTL.
//
// The contract for a store that keeps a Tracker:
//
//   - Bump the hours of every write AFTER its rows are visible to queries:
//     committed, and listed by whatever the read path finds them through
//     (the DuckDB store's metric catalogue). Bumping before would let a query that starts between
//     the bump and the commit read the new sequence, evaluate without the
//     new rows, and keep that answer tagged with a sequence no later write
//     changes: a stale answer served forever. Bumping after can only make
//     a cached answer that already saw the rows invalid (a spare miss).
//   - Bump a write that failed as well, unless it is certain that nothing
//     of it was committed (a spare bump costs a miss, never a wrong answer).
//   - Deletions (retention) bump what they drop, after the delete commits.
package metricgen

import (
	"sync"
	"sync/atomic"
	"time"
)

// HourMs is the length of a generation's hour in milliseconds.
const HourMs = int64(time.Hour / time.Millisecond)

// HourOfMs is the hour (since the Unix epoch, floor) of a time in ms.
func HourOfMs(ms int64) int64 {
	h := ms / HourMs
	if ms%HourMs < 0 {
		h--
	}
	return h
}

// HourOfNs is the hour of a time in nanoseconds; it agrees with HourOfMs
// of the time's milliseconds (floor).
func HourOfNs(ns int64) int64 {
	const hourNs = int64(time.Hour)
	h := ns / hourNs
	if ns%hourNs < 0 {
		h--
	}
	return h
}

// lastID numbers the trackers of the process: a cache keys its entries by
// tracker, so that a store closed and opened again (whose sequence starts
// over) never validates an entry of its former instance.
var lastID atomic.Uint64

// Tracker holds the generations of one store. It is safe for concurrent
// use; the zero value is not usable, use New.
type Tracker struct {
	id uint64

	mu  sync.Mutex
	seq uint64
	// hours maps an hour to the seq of its last write.
	hours map[int64]uint64
	// Every hour below belowHour was changed at belowSeq (a deletion of
	// everything older than a cutoff); 0: none.
	belowHour int64
	belowSeq  uint64
}

// New returns a tracker with no writes.
func New() *Tracker {
	return &Tracker{id: lastID.Add(1), hours: map[int64]uint64{}}
}

// ID identifies the tracker in the process.
func (t *Tracker) ID() uint64 { return t.id }

// Seq is the sequence number of the newest write. Read it before a query
// reads the store: an answer is current while Newest of every hour it read
// stays ≤ that number.
func (t *Tracker) Seq() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seq
}

// Newest is the sequence number of the newest write to any hour in
// [first, last] (0: none since the tracker was made).
func (t *Tracker) Newest(first, last int64) uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var n uint64
	if first < t.belowHour {
		n = t.belowSeq
	}
	if last-first < int64(len(t.hours)) {
		for h := first; h <= last; h++ {
			n = max(n, t.hours[h])
		}
		return n
	}
	for h, s := range t.hours {
		if h >= first && h <= last {
			n = max(n, s)
		}
	}
	return n
}

// Bump records a write of points in hours (after the points are visible
// to queries; see the package doc). Duplicates are fine.
func (t *Tracker) Bump(hours ...int64) {
	if len(hours) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	for _, h := range hours {
		t.hours[h] = t.seq
	}
}

// BumpBefore records a deletion of points older than cutoff (after it is
// visible): every hour holding times before cutoff changes.
func (t *Tracker) BumpBefore(cutoff time.Time) {
	// The hour holding the cutoff loses the points before it too.
	h := HourOfNs(cutoff.UnixNano()) + 1
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	t.belowHour, t.belowSeq = max(t.belowHour, h), t.seq
	// Hours below it are dominated by belowSeq now.
	for hh := range t.hours {
		if hh < t.belowHour {
			delete(t.hours, hh)
		}
	}
}
