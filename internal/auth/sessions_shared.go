package auth

import (
	"fmt"
	"slices"
	"time"
)

// SessionRecord is one login session as a shared session backend keeps
// it: the SHA-256 of the cookie's value (never the value), the user's ID
// and the creation and expiry times.
type SessionRecord struct {
	Hash    string
	UserID  string
	Created time.Time
	Expires time.Time
}

// SessionBackend is a session table several overlook processes share (the
// ClickHouse backend's overlook_sessions: internal/store/clickhouse/
// sessions_auth.go). The file-backed table (OpenSessions) is the other
// backend of Sessions.
//
// Put stores a new session durably. Get returns the session of hash,
// found false when there is none or it was deleted. Delete marks the
// sessions deleted (recs carry the user ID so that UserSessions sees the
// deletion too); a deleted hash never comes back. UserSessions returns a
// user's sessions that are not deleted (expired ones may be included).
type SessionBackend interface {
	Put(rec SessionRecord) error
	Get(hash string) (SessionRecord, bool, error)
	Delete(recs []SessionRecord) error
	UserSessions(userID string) ([]SessionRecord, error)
}

// Bounds of a shared session table (docs/security.md, docs/scale-out.md):
//
//   - SessionRecheckEvery: a session cached here is re-read from the
//     table at most this often, so a logout, a user's deletion or the
//     per-user cap done through another process ends it here within it.
//   - unknownRecheckEvery: a cookie unknown to the table is not looked
//     up again before this (per hash) …
//   - unknownReadsPerSecond (burst unknownReadsBurst): … and lookups of
//     cookies unknown here are rate-limited process-wide, so a flood of
//     bad cookies does not hammer the database (beyond the rate such a
//     cookie is refused without a read).
const (
	SessionRecheckEvery   = 5 * time.Second
	unknownRecheckEvery   = time.Second
	unknownReadsPerSecond = 50
	unknownReadsBurst     = 50
)

// OpenSharedSessions returns a session table kept in b (shared by every
// process of a scale-out deployment) with a local cache in front.
// Sessions last ttl; a user has at most maxPerUser (the oldest end when a
// login would exceed it). now is the clock (nil: time.Now).
func OpenSharedSessions(b SessionBackend, ttl time.Duration, maxPerUser int, now func() time.Time) (*Sessions, error) {
	if maxPerUser < 1 {
		return nil, fmt.Errorf("BUG: at most %d sessions per user", maxPerUser)
	}
	if now == nil {
		now = time.Now
	}
	return &Sessions{ttl: ttl, maxPerUser: maxPerUser, now: now, byID: map[string]session{},
		shared: b, checked: map[string]time.Time{}, unknown: map[string]time.Time{}, reading: map[string]*sessionRead{},
		tokens: unknownReadsBurst, tokensAt: now()}, nil
}

// Shared reports whether the sessions live in a shared backend.
func (s *Sessions) Shared() bool { return s.shared != nil }

// createShared stores a new session in the shared table after ending the
// user's oldest ones beyond the cap.
func (s *Sessions) createShared(userID, h string, now, exp time.Time) error {
	mine, err := s.shared.UserSessions(userID)
	if err != nil {
		return fmt.Errorf("read the user's sessions: %w", err)
	}
	live := mine[:0]
	for _, r := range mine {
		if now.Before(r.Expires) {
			live = append(live, r)
		}
	}
	if over := len(live) - (s.maxPerUser - 1); over > 0 {
		slices.SortFunc(live, func(a, b SessionRecord) int { return a.Created.Compare(b.Created) })
		if err := s.shared.Delete(live[:over]); err != nil {
			return fmt.Errorf("end the user's oldest sessions: %w", err)
		}
		s.mu.Lock()
		for _, r := range live[:over] {
			s.forgetLocked(r.Hash)
		}
		s.mu.Unlock()
	}
	if err := s.shared.Put(SessionRecord{Hash: h, UserID: userID, Created: now, Expires: exp}); err != nil {
		return fmt.Errorf("save the session: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	s.evictLocked()
	s.byID[h] = session{UserID: userID, Created: now, Expires: exp}
	s.checked[h] = now
	return nil
}

// lookupShared answers a lookup from the cache, re-reading the table when
// the cached entry is older than SessionRecheckEvery or the hash is not
// cached (bounded by the negative cache and the global read rate).
func (s *Sessions) lookupShared(h string) (string, bool) {
	now := s.now()
	s.mu.Lock()
	v, cached := s.byID[h]
	switch {
	case cached && !now.Before(v.Expires):
		s.forgetLocked(h)
		s.mu.Unlock()
		return "", false
	case cached && now.Sub(s.checked[h]) < SessionRecheckEvery:
		s.mu.Unlock()
		return v.UserID, true
	case cached:
		s.checked[h] = now // one re-read at a time per interval
	case s.reading[h] != nil:
		// Another request reads this hash already (a page's parallel
		// requests after a login elsewhere): share its answer.
		r := s.reading[h]
		s.mu.Unlock()
		<-r.done
		return r.userID, r.ok
	default:
		if t, ok := s.unknown[h]; ok && now.Sub(t) < unknownRecheckEvery {
			s.mu.Unlock()
			return "", false
		}
		if !s.takeTokenLocked(now) {
			s.mu.Unlock()
			return "", false
		}
		for k, t := range s.unknown {
			if now.Sub(t) >= unknownRecheckEvery {
				delete(s.unknown, k)
			}
		}
		s.unknown[h] = now
		r := &sessionRead{done: make(chan struct{})}
		s.reading[h] = r
		defer func() {
			s.mu.Lock()
			delete(s.reading, h)
			s.mu.Unlock()
			close(r.done)
		}()
		s.mu.Unlock()
		r.userID, r.ok = s.readShared(h, now, v, false)
		return r.userID, r.ok
	}
	s.mu.Unlock()
	return s.readShared(h, now, v, true)
}

// sessionRead is a read of an uncached hash in flight; its answer is set
// before done is closed.
type sessionRead struct {
	done   chan struct{}
	userID string
	ok     bool
}

// readShared reads h from the table and updates the cache (v is the
// cached entry when cached is set).
func (s *Sessions) readShared(h string, now time.Time, v session, cached bool) (string, bool) {
	rec, found, err := s.shared.Get(h)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// The database is unreachable: a session confirmed before stays
		// valid until it expires (no logout can be recorded meanwhile
		// either); an unknown one is refused.
		return v.UserID, cached
	}
	// A session_ttl lowered since the login applies to it too.
	if limit := rec.Created.Add(s.ttl); rec.Expires.After(limit) {
		rec.Expires = limit
	}
	if !found || rec.Hash != h || !now.Before(rec.Expires) {
		s.forgetLocked(h)
		return "", false
	}
	delete(s.unknown, h)
	if !cached {
		s.evictLocked()
	}
	s.byID[h] = session{UserID: rec.UserID, Created: rec.Created, Expires: rec.Expires}
	s.checked[h] = now
	return rec.UserID, true
}

// takeTokenLocked spends one of the global unknown-cookie reads.
func (s *Sessions) takeTokenLocked(now time.Time) bool {
	if el := now.Sub(s.tokensAt); el > 0 {
		s.tokens = min(unknownReadsBurst, s.tokens+el.Seconds()*unknownReadsPerSecond)
		s.tokensAt = now
	}
	if s.tokens < 1 {
		return false
	}
	s.tokens--
	return true
}

// evictLocked makes room for one more cached session.
func (s *Sessions) evictLocked() {
	if len(s.byID) < maxSessions {
		return
	}
	var oldest string
	for k, v := range s.byID {
		if oldest == "" || v.Expires.Before(s.byID[oldest].Expires) {
			oldest = k
		}
	}
	s.forgetLocked(oldest)
}

func (s *Sessions) forgetLocked(h string) {
	delete(s.byID, h)
	delete(s.checked, h)
}

// deleteShared ends the session of h in the shared table.
func (s *Sessions) deleteShared(h string) error {
	s.mu.Lock()
	v, ok := s.byID[h]
	s.mu.Unlock()
	rec := SessionRecord{Hash: h, UserID: v.UserID, Created: v.Created, Expires: v.Expires}
	if !ok {
		r, found, err := s.shared.Get(h)
		if err != nil {
			return fmt.Errorf("read the session: %w", err)
		}
		if !found {
			return nil
		}
		rec = r
	}
	if err := s.shared.Delete([]SessionRecord{rec}); err != nil {
		return fmt.Errorf("end the session: %w", err)
	}
	s.mu.Lock()
	s.forgetLocked(h)
	s.mu.Unlock()
	return nil
}

// deleteUserShared ends every session of userID in the shared table.
func (s *Sessions) deleteUserShared(userID string) error {
	mine, err := s.shared.UserSessions(userID)
	if err != nil {
		return fmt.Errorf("read the user's sessions: %w", err)
	}
	if len(mine) > 0 {
		if err := s.shared.Delete(mine); err != nil {
			return fmt.Errorf("end the user's sessions: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.byID {
		if v.UserID == userID {
			s.forgetLocked(k)
		}
	}
	return nil
}
