package auth

import (
	"sync"
	"time"
)

// LoginLimiter counts failed logins per key (client IP + email): after
// Attempts failures within Window, further attempts are refused until the
// oldest failure is Window old.
type LoginLimiter struct {
	attempts int
	window   time.Duration
	now      func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// maxLimiterKeys bounds the table; when full, keys with no failure inside
// the window are dropped first, then the table is reset.
const maxLimiterKeys = 100_000

// NewLoginLimiter returns a limiter; attempts <= 0 disables it.
func NewLoginLimiter(attempts int, window time.Duration) *LoginLimiter {
	return &LoginLimiter{attempts: attempts, window: window, now: time.Now, failures: map[string][]time.Time{}}
}

// Wait is how long key must wait before its next attempt (0: now).
func (l *LoginLimiter) Wait(key string) time.Duration {
	if l.attempts <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fs := l.recent(key)
	if len(fs) < l.attempts {
		return 0
	}
	return fs[len(fs)-l.attempts].Add(l.window).Sub(l.now())
}

// Fail records a failed attempt.
func (l *LoginLimiter) Fail(key string) {
	if l.attempts <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) >= maxLimiterKeys {
		for k := range l.failures {
			if len(l.recent(k)) == 0 {
				delete(l.failures, k)
			}
		}
		if len(l.failures) >= maxLimiterKeys {
			clear(l.failures)
		}
	}
	fs := append(l.recent(key), l.now())
	if len(fs) > l.attempts {
		fs = fs[len(fs)-l.attempts:]
	}
	l.failures[key] = fs
}

// Succeed forgets key's failures.
func (l *LoginLimiter) Succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// recent drops failures older than the window. l.mu held.
func (l *LoginLimiter) recent(key string) []time.Time {
	fs := l.failures[key]
	cut := l.now().Add(-l.window)
	i := 0
	for i < len(fs) && !fs[i].After(cut) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = fs
	}
	return fs
}
