package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Sessions are browser logins, keyed by the SHA-256 of the cookie's value.
// They live in one of two backends: this process's file (OpenSessions,
// below) or a table every process of a scale-out deployment shares
// (OpenSharedSessions: sessions_shared.go).
//
// Opened with a directory (OpenSessions) they persist in
// <dir>/sessions.json, so a restart keeps everyone logged in: the file
// holds, per session, only that hash, the user's ID and the creation and
// expiry times — never the cookie's value. Every change (login, logout,
// a user's deletion) rewrites the file atomically (temp file, fsync,
// rename), expired sessions left out.
//
// A session names only its user: the principal (role, tenant) is re-read
// from the user store on every request (Gate.authenticate), so a change
// to the user applies at once and a deleted user's session stops working.
type Sessions struct {
	ttl        time.Duration
	maxPerUser int
	dir        string // "": in memory only
	now        func() time.Time

	mu   sync.Mutex
	byID map[string]session // by hashSecret(cookie value)
	seq  uint64             // changes made to byID

	// writeMu serialises file writes, done outside mu so that lookups
	// (every request) never wait for a login's fsync; written is the seq
	// of the newest snapshot on disk (an older one is never written over
	// it).
	writeMu sync.Mutex
	written uint64

	// shared, when set, is the table the sessions live in instead of
	// the file (OpenSharedSessions; sessions_shared.go): byID is then a
	// cache, checked holds when each cached session was last confirmed in
	// the table, unknown when each uncached hash was last read, and tokens
	// (refilled as of tokensAt) the reads of uncached hashes left.
	shared   SessionBackend
	checked  map[string]time.Time
	unknown  map[string]time.Time
	reading  map[string]*sessionRead // reads of uncached hashes in flight
	tokens   float64
	tokensAt time.Time
}

type session struct {
	UserID  string    `json:"userId"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// sessionsDoc is the file's content.
type sessionsDoc struct {
	Version  int                `json:"version"`
	Sessions map[string]session `json:"sessions"` // by SHA-256 of the secret
}

const sessionsFile = "sessions.json"

// maxSessions bounds the table; the oldest-expiring session is dropped
// beyond it.
const maxSessions = 100_000

// DefaultMaxSessionsPerUser is extensions::overlook::auth::max_sessions_per_user's
// default.
const DefaultMaxSessionsPerUser = 20

// NewSessions returns an in-memory session table (a restart logs everyone
// out) whose sessions last ttl.
func NewSessions(ttl time.Duration) *Sessions {
	return &Sessions{ttl: ttl, maxPerUser: DefaultMaxSessionsPerUser, now: time.Now, byID: map[string]session{}}
}

// OpenSessions opens (creating) the persistent session table in dir, e.g.
// <data>/auth. Sessions last ttl; a user has at most maxPerUser (the
// oldest ends when a login would exceed it). Both apply to the sessions
// in the file too, if they were larger when those were made; expired
// sessions are dropped.
func OpenSessions(dir string, ttl time.Duration, maxPerUser int) (*Sessions, error) {
	return openSessions(dir, ttl, maxPerUser, time.Now)
}

func openSessions(dir string, ttl time.Duration, maxPerUser int, now func() time.Time) (*Sessions, error) {
	if maxPerUser < 1 {
		return nil, fmt.Errorf("BUG: at most %d sessions per user", maxPerUser)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create auth directory %q: %w", dir, err)
	}
	s := &Sessions{ttl: ttl, maxPerUser: maxPerUser, dir: dir, now: now, byID: map[string]session{}}
	path := filepath.Join(dir, sessionsFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sessions %q: %w", path, err)
	}
	var doc sessionsDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("sessions file %q is not valid JSON (delete it: everyone logs in again): %w", path, err)
	}
	pruned := false
	t := now()
	for h, v := range doc.Sessions {
		// A session_ttl lowered since the login applies to it too.
		if limit := v.Created.Add(ttl); v.Expires.After(limit) {
			v.Expires, pruned = limit, true
		}
		if t.Before(v.Expires) {
			s.byID[h] = v
		} else {
			pruned = true
		}
	}
	// A max_sessions_per_user lowered since applies at once too.
	users := map[string]bool{}
	for _, v := range s.byID {
		users[v.UserID] = true
	}
	for u := range users {
		if s.trimUserLocked(u, maxPerUser) {
			pruned = true
		}
	}
	if pruned {
		s.mu.Lock()
		snap := s.snapshotLocked()
		s.mu.Unlock()
		if err := s.write(snap); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// TTL is how long a session lasts.
func (s *Sessions) TTL() time.Duration { return s.ttl }

// Create starts a session for userID and returns the cookie value. The
// user's oldest sessions end if they would have more than the maximum.
func (s *Sessions) Create(userID string) (string, time.Time, error) {
	secret, err := randomSecret(32)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	exp := now.Add(s.ttl)
	if s.shared != nil {
		if err := s.createShared(userID, hashSecret(secret), now, exp); err != nil {
			return "", time.Time{}, err
		}
		return secret, exp, nil
	}
	s.mu.Lock()
	s.pruneLocked(now)
	s.trimUserLocked(userID, s.maxPerUser-1)
	if len(s.byID) >= maxSessions {
		var oldest string
		for k, v := range s.byID {
			if oldest == "" || v.Expires.Before(s.byID[oldest].Expires) {
				oldest = k
			}
		}
		delete(s.byID, oldest)
	}
	h := hashSecret(secret)
	s.byID[h] = session{UserID: userID, Created: now, Expires: exp}
	snap := s.snapshotLocked()
	s.mu.Unlock()
	if err := s.write(snap); err != nil {
		s.mu.Lock()
		delete(s.byID, h)
		s.seq++
		s.mu.Unlock()
		return "", time.Time{}, err
	}
	return secret, exp, nil
}

// trimUserLocked ends the oldest sessions of userID beyond keep. s.mu is
// held (or s not shared yet).
func (s *Sessions) trimUserLocked(userID string, keep int) bool {
	var mine []string
	for k, v := range s.byID {
		if v.UserID == userID {
			mine = append(mine, k)
		}
	}
	over := len(mine) - keep
	if over <= 0 {
		return false
	}
	slices.SortFunc(mine, func(a, b string) int { return s.byID[a].Created.Compare(s.byID[b].Created) })
	for _, k := range mine[:over] {
		delete(s.byID, k)
	}
	return true
}

func (s *Sessions) pruneLocked(now time.Time) {
	for k, v := range s.byID {
		if !now.Before(v.Expires) {
			delete(s.byID, k)
		}
	}
}

// Lookup returns the user of a live session.
func (s *Sessions) Lookup(secret string) (string, bool) {
	h := hashSecret(secret)
	if s.shared != nil {
		return s.lookupShared(h)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.byID[h]
	if !ok {
		return "", false
	}
	if !s.now().Before(v.Expires) {
		// Left in the file until the next write, which omits it.
		delete(s.byID, h)
		return "", false
	}
	return v.UserID, true
}

// Delete ends a session (logout). If it cannot be removed from the file
// the session stays alive (here too, so the state a restart finds is the
// same) and the error says why: the caller can try again.
func (s *Sessions) Delete(secret string) error {
	h := hashSecret(secret)
	if s.shared != nil {
		return s.deleteShared(h)
	}
	s.mu.Lock()
	v, ok := s.byID[h]
	if !ok {
		s.mu.Unlock()
		return nil
	}
	delete(s.byID, h)
	snap := s.snapshotLocked()
	s.mu.Unlock()
	if err := s.write(snap); err != nil {
		s.mu.Lock()
		s.byID[h] = v
		s.seq++
		s.mu.Unlock()
		return err
	}
	return nil
}

// DeleteUser ends every session of a user (deleted users).
func (s *Sessions) DeleteUser(userID string) error {
	if s.shared != nil {
		return s.deleteUserShared(userID)
	}
	s.mu.Lock()
	n := len(s.byID)
	for k, v := range s.byID {
		if v.UserID == userID {
			delete(s.byID, k)
		}
	}
	if len(s.byID) == n {
		s.mu.Unlock()
		return nil
	}
	snap := s.snapshotLocked()
	s.mu.Unlock()
	return s.write(snap)
}

// Len is the number of sessions held (expired ones not yet dropped
// included; with a shared table, the ones cached here).
func (s *Sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// snapshot is the table as of change seq, to write.
type snapshot struct {
	seq  uint64
	live map[string]session
}

// snapshotLocked records a change and copies the live sessions (none in
// memory-only mode). s.mu is held.
func (s *Sessions) snapshotLocked() snapshot {
	s.seq++
	if s.dir == "" {
		return snapshot{seq: s.seq}
	}
	now := s.now()
	live := make(map[string]session, len(s.byID))
	for k, v := range s.byID {
		if now.Before(v.Expires) {
			live[k] = v
		}
	}
	return snapshot{seq: s.seq, live: live}
}

// write puts snap in the file unless a newer snapshot is there already
// (it holds snap's change too). Writes are serialised; lookups go on.
func (s *Sessions) write(snap snapshot) error {
	if s.dir == "" {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if snap.seq <= s.written {
		return nil
	}
	raw, err := json.Marshal(sessionsDoc{Version: 1, Sessions: snap.live})
	if err != nil {
		return fmt.Errorf("BUG: encode sessions: %w", err)
	}
	if err := writeFileAtomic(s.dir, sessionsFile, raw); err != nil {
		return fmt.Errorf("save sessions: %w", err)
	}
	s.written = snap.seq
	return nil
}
