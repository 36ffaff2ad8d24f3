package auth

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// memBackend is an in-memory SessionBackend counting its reads.
type memBackend struct {
	mu      sync.Mutex
	rows    map[string]SessionRecord
	deleted map[string]bool
	gets    int
	fail    bool
}

func newMemBackend() *memBackend {
	return &memBackend{rows: map[string]SessionRecord{}, deleted: map[string]bool{}}
}

func (m *memBackend) Put(r SessionRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[r.Hash] = r
	return nil
}

func (m *memBackend) Get(h string) (SessionRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	if m.fail {
		return SessionRecord{}, false, errors.New("unreachable")
	}
	r, ok := m.rows[h]
	return r, ok && !m.deleted[h], nil
}

func (m *memBackend) Delete(recs []SessionRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		m.deleted[r.Hash] = true
	}
	return nil
}

func (m *memBackend) UserSessions(u string) ([]SessionRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []SessionRecord
	for h, r := range m.rows {
		if r.UserID == u && !m.deleted[h] {
			out = append(out, r)
		}
	}
	return out, nil
}

func (m *memBackend) reads() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gets
}

func sharedPair(t *testing.T, b SessionBackend, c *clock, maxPerUser int) (*Sessions, *Sessions) {
	t.Helper()
	a, err := OpenSharedSessions(b, time.Hour, maxPerUser, c.now)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := OpenSharedSessions(b, time.Hour, maxPerUser, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return a, bb
}

// TestSharedSessionsAcrossProcesses: a login on A is known on B; a logout,
// a user's deletion or the per-user cap on A ends the session on B within
// SessionRecheckEvery (and not before: B answers from its cache).
func TestSharedSessionsAcrossProcesses(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, a *Sessions, secret string)
	}{
		{"logout", func(t *testing.T, a *Sessions, secret string) {
			if err := a.Delete(secret); err != nil {
				t.Fatal(err)
			}
		}},
		{"user deleted", func(t *testing.T, a *Sessions, _ string) {
			if err := a.DeleteUser("u1"); err != nil {
				t.Fatal(err)
			}
		}},
		{"per-user cap", func(t *testing.T, a *Sessions, _ string) {
			c := a.now
			for range 2 {
				a.now = func() time.Time { return c().Add(time.Millisecond) }
				create(t, a, "u1")
			}
			a.now = c
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			b := newMemBackend()
			a, bb := sharedPair(t, b, c, 2)
			secret := create(t, a, "u1")
			if uid, ok := bb.Lookup(secret); !ok || uid != "u1" {
				t.Fatalf("B: Lookup = %q, %v; want u1, true", uid, ok)
			}
			tc.end(t, a, secret)
			if _, ok := a.Lookup(secret); ok {
				t.Fatal("A still accepts the ended session")
			}
			c.t = c.t.Add(SessionRecheckEvery - time.Millisecond)
			if _, ok := bb.Lookup(secret); !ok {
				t.Fatal("B re-read the table before the re-check bound (cache expected)")
			}
			c.t = c.t.Add(time.Millisecond)
			if _, ok := bb.Lookup(secret); ok {
				t.Fatalf("B accepts the ended session %v after it ended", SessionRecheckEvery)
			}
		})
	}
}

// TestSharedSessionsExpiry: an expired session is refused (by the
// process that made it and by another), and a session_ttl lowered since
// the login applies.
func TestSharedSessionsExpiry(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newMemBackend()
	a, bb := sharedPair(t, b, c, 5)
	secret := create(t, a, "u1")
	c.t = c.t.Add(time.Hour)
	for name, s := range map[string]*Sessions{"A": a, "B": bb} {
		if _, ok := s.Lookup(secret); ok {
			t.Errorf("%s accepts an expired session", name)
		}
	}
	c.t = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	secret = create(t, a, "u1")
	short, err := OpenSharedSessions(b, 10*time.Minute, 5, c.now)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(11 * time.Minute)
	if _, ok := short.Lookup(secret); ok {
		t.Error("a process with a 10m session_ttl accepts a session made 11m ago")
	}
}

// TestSharedSessionsUnknownFlood: unknown cookies are read from the table
// at most once per hash per unknownRecheckEvery and at most
// unknownReadsBurst (+ the rate) in all.
func TestSharedSessionsUnknownFlood(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newMemBackend()
	s, _ := sharedPair(t, b, c, 5)
	for range 10 {
		s.Lookup("same-bad-cookie")
	}
	if got := b.reads(); got != 1 {
		t.Fatalf("10 lookups of one unknown cookie: %d reads, want 1", got)
	}
	for i := range 1000 {
		s.Lookup(fmt.Sprintf("bad-%d", i))
	}
	if got := b.reads(); got != unknownReadsBurst {
		t.Fatalf("1000 distinct unknown cookies: %d reads, want %d (the burst)", got, unknownReadsBurst)
	}
	if n := len(s.unknown); n > unknownReadsBurst {
		t.Fatalf("negative cache holds %d hashes, want <= %d", n, unknownReadsBurst)
	}
	// A legitimate session made elsewhere is found once the rate refills.
	other, _ := OpenSharedSessions(b, time.Hour, 5, c.now)
	secret := create(t, other, "u1")
	if _, ok := s.Lookup(secret); ok {
		t.Fatal("a read happened beyond the rate")
	}
	c.t = c.t.Add(time.Second)
	if uid, ok := s.Lookup(secret); !ok || uid != "u1" {
		t.Fatalf("after the rate refilled: Lookup = %q, %v", uid, ok)
	}
}

// TestSharedSessionsOutage: while the table is unreachable a confirmed
// session stays valid and an unknown one is refused.
func TestSharedSessionsOutage(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newMemBackend()
	a, bb := sharedPair(t, b, c, 5)
	known := create(t, a, "u1")
	other := create(t, a, "u2")
	if _, ok := bb.Lookup(known); !ok {
		t.Fatal("B does not know A's session")
	}
	b.mu.Lock()
	b.fail = true
	b.mu.Unlock()
	c.t = c.t.Add(2 * SessionRecheckEvery)
	if _, ok := bb.Lookup(known); !ok {
		t.Error("a confirmed session is refused while the table is unreachable")
	}
	if _, ok := bb.Lookup(other); ok {
		t.Error("an unconfirmed session is accepted while the table is unreachable")
	}
}

// blockingBackend holds Get until release is closed.
type blockingBackend struct {
	*memBackend
	entered chan struct{}
	release chan struct{}
}

func (b *blockingBackend) Get(h string) (SessionRecord, bool, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.memBackend.Get(h)
}

// TestSharedSessionsParallelFirstLookup: a page's parallel requests with a
// cookie new to this process all pass, with one read of the table (they
// share the read in flight instead of being refused by the negative
// cache).
func TestSharedSessionsParallelFirstLookup(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	mem := newMemBackend()
	a, err := OpenSharedSessions(mem, time.Hour, 5, c.now)
	if err != nil {
		t.Fatal(err)
	}
	secret := create(t, a, "u1")
	bb := &blockingBackend{memBackend: mem, entered: make(chan struct{}, 10), release: make(chan struct{})}
	b, err := OpenSharedSessions(bb, time.Hour, 5, c.now)
	if err != nil {
		t.Fatal(err)
	}
	const n = 5
	results := make(chan bool, n)
	go func() { _, ok := b.Lookup(secret); results <- ok }()
	<-bb.entered // the first lookup is reading
	for range n - 1 {
		go func() { _, ok := b.Lookup(secret); results <- ok }()
	}
	time.Sleep(50 * time.Millisecond) // let them reach the read in flight (not an assertion)
	close(bb.release)
	for range n {
		if !<-results {
			t.Fatal("a parallel first lookup of a valid session was refused")
		}
	}
	if got := mem.reads(); got != 1 {
		t.Fatalf("%d parallel first lookups: %d reads, want 1", n, got)
	}
}
