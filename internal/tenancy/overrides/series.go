package overrides

import (
	"sync"
	"time"
)

// ActiveWindow is how recently a series must have had a point to count as
// active for max_active_series.
const ActiveWindow = time.Hour

// sweepEvery bounds how often a full series set looks for expired series:
// at most once a minute, so a flood of new series past the cap costs O(1)
// each. An inactive series thus frees its place within a minute of
// ActiveWindow.
const sweepEvery = time.Minute

// seriesSet is one tenant's active series: fingerprint → last point time
// (Unix ns). It holds at most max entries.
type seriesSet struct {
	mu    sync.Mutex // held by a SeriesAdmitter for its batch
	max   int
	last  map[uint64]int64
	swept time.Time
}

func newSeriesSet(max int) *seriesSet {
	return &seriesSet{max: max, last: map[uint64]int64{}}
}

// admit records a point of series fp at now and reports whether it may be
// stored: a series active within ActiveWindow always may; a new one only
// while fewer than max are active.
func (s *seriesSet) admit(fp uint64, now time.Time) bool {
	t := now.UnixNano()
	if last, ok := s.last[fp]; ok {
		if t-last < int64(ActiveWindow) {
			s.last[fp] = max(last, t)
			return true
		}
		delete(s.last, fp) // inactive: it is new again
	}
	if len(s.last) >= s.max && now.Sub(s.swept) >= sweepEvery {
		s.expire(now)
	}
	if len(s.last) >= s.max {
		return false
	}
	s.last[fp] = t
	return true
}

// expire forgets the series without a point in ActiveWindow. s.mu is held.
func (s *seriesSet) expire(now time.Time) {
	s.swept = now
	cut := now.UnixNano() - int64(ActiveWindow)
	for fp, t := range s.last {
		if t <= cut {
			delete(s.last, fp)
		}
	}
}

// SeriesAdmitter admits the series of one batch for one tenant, holding
// the tenant's series lock (not the Limiter's) until Done. Its zero value
// admits everything.
type SeriesAdmitter struct {
	l      *Limiter
	set    *seriesSet
	now    time.Time
	tenant string
	key    string
	max    int
	// Refused counts the refused points; refusedSeries the distinct
	// series among them.
	refused       int
	refusedSeries map[uint64]struct{}
}

// Series starts admitting one batch's series for tenant; call Done after.
// With no max_active_series for tenant (or a nil Limiter) every series is
// admitted.
func (l *Limiter) Series(tenant string) *SeriesAdmitter {
	if l == nil {
		return &SeriesAdmitter{}
	}
	l.mu.Lock()
	now := l.opts.Now()
	s := l.state(tenant, now)
	if s.series == nil {
		l.mu.Unlock()
		return &SeriesAdmitter{}
	}
	// Lock order: l.mu, then the set's; taken before l.mu is released so
	// that forget cannot drop the state in between.
	s.series.mu.Lock()
	l.mu.Unlock()
	return &SeriesAdmitter{l: l, set: s.series, now: now, tenant: tenant, key: l.key(tenant, "max_active_series"), max: s.series.max}
}

// Admit reports whether a point of series fp may be stored.
func (a *SeriesAdmitter) Admit(fp uint64) bool {
	if a.set == nil || a.set.admit(fp, a.now) {
		return true
	}
	a.refused++
	if a.refusedSeries == nil {
		a.refusedSeries = map[uint64]struct{}{}
	}
	a.refusedSeries[fp] = struct{}{}
	return false
}

// Done releases the lock, counts the refused points and returns a
// *SeriesLimitError if any were refused (Stored is left for the caller).
func (a *SeriesAdmitter) Done() *SeriesLimitError {
	if a.set == nil {
		return nil
	}
	a.set.mu.Unlock()
	a.set = nil
	if a.refused == 0 {
		return nil
	}
	a.l.CountRefused(a.tenant, Samples, ReasonMaxSeries, a.refused)
	return &SeriesLimitError{Tenant: a.tenant, Points: a.refused, Series: len(a.refusedSeries), Max: a.max, key: a.key}
}
