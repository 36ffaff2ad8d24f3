package auth

import (
	"sync"
	"time"
)

// Sessions are browser logins, kept in memory (a restart logs everyone
// out) and keyed by the SHA-256 of the cookie's value.
type Sessions struct {
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	byID map[string]session
}

type session struct {
	userID  string
	expires time.Time
}

// maxSessions bounds the table; the oldest-expiring session is dropped
// beyond it.
const maxSessions = 100_000

// NewSessions returns a session table whose sessions last ttl.
func NewSessions(ttl time.Duration) *Sessions {
	return &Sessions{ttl: ttl, now: time.Now, byID: map[string]session{}}
}

// TTL is how long a session lasts.
func (s *Sessions) TTL() time.Duration { return s.ttl }

// Create starts a session for userID and returns the cookie value.
func (s *Sessions) Create(userID string) (string, time.Time, error) {
	secret, err := randomSecret(32)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	exp := now.Add(s.ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.byID {
		if !now.Before(v.expires) {
			delete(s.byID, k)
		}
	}
	if len(s.byID) >= maxSessions {
		var oldest string
		for k, v := range s.byID {
			if oldest == "" || v.expires.Before(s.byID[oldest].expires) {
				oldest = k
			}
		}
		delete(s.byID, oldest)
	}
	s.byID[hashSecret(secret)] = session{userID: userID, expires: exp}
	return secret, exp, nil
}

// Lookup returns the user of a live session.
func (s *Sessions) Lookup(secret string) (string, bool) {
	h := hashSecret(secret)
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.byID[h]
	if !ok {
		return "", false
	}
	if !s.now().Before(v.expires) {
		delete(s.byID, h)
		return "", false
	}
	return v.userID, true
}

// Delete ends a session.
func (s *Sessions) Delete(secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, hashSecret(secret))
}

// DeleteUser ends every session of a user (deleted users).
func (s *Sessions) DeleteUser(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.byID {
		if v.userID == userID {
			delete(s.byID, k)
		}
	}
}
