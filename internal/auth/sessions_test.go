package auth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func reopen(t *testing.T, dir string, c *clock, maxPerUser int) *Sessions {
	t.Helper()
	s, err := openSessions(dir, time.Hour, maxPerUser, c.now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func create(t *testing.T, s *Sessions, user string) string {
	t.Helper()
	secret, _, err := s.Create(user)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func readSessionsFile(t *testing.T, dir string) (string, sessionsDoc) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, sessionsFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc sessionsDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return string(raw), doc
}

// TestSessionsPersist: a session outlives a restart (a reopen of the
// directory); expired ones do not, and are pruned from the file.
func TestSessionsPersist(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := reopen(t, dir, c, 20)
	alive := create(t, s, "u1")
	c.t = c.t.Add(30 * time.Minute)
	late := create(t, s, "u2")

	s = reopen(t, dir, c, 20) // the restart
	for _, tc := range []struct {
		secret, user string
	}{{alive, "u1"}, {late, "u2"}} {
		if uid, ok := s.Lookup(tc.secret); !ok || uid != tc.user {
			t.Fatalf("after reopen: Lookup = %q, %v; want %q", uid, ok, tc.user)
		}
	}
	if _, ok := s.Lookup("not-a-session"); ok {
		t.Fatal("an unknown secret was accepted")
	}

	// u1's session expires (created an hour ago); u2's has 30 minutes left.
	c.t = c.t.Add(30 * time.Minute)
	s = reopen(t, dir, c, 20)
	if _, ok := s.Lookup(alive); ok {
		t.Fatal("an expired session was accepted after reopen")
	}
	if _, ok := s.Lookup(late); !ok {
		t.Fatal("a live session was refused after reopen")
	}
	_, doc := readSessionsFile(t, dir)
	if len(doc.Sessions) != 1 {
		t.Fatalf("the file holds %d sessions after the expired one was pruned, want 1", len(doc.Sessions))
	}
}

// TestSessionsFileHoldsNoSecret: only the SHA-256 of the cookie value is
// stored, with the user and times.
func TestSessionsFileHoldsNoSecret(t *testing.T) {
	dir := t.TempDir()
	s := reopen(t, dir, &clock{t: time.Unix(1_000_000, 0)}, 20)
	secret := create(t, s, "u1")
	raw, doc := readSessionsFile(t, dir)
	if strings.Contains(raw, secret) {
		t.Fatalf("the sessions file holds the raw secret: %s", raw)
	}
	v, ok := doc.Sessions[hashSecret(secret)]
	if !ok || v.UserID != "u1" || !v.Expires.Equal(time.Unix(1_000_000, 0).Add(time.Hour)) {
		t.Fatalf("file entry %+v (found %v), want user u1 expiring in an hour, keyed by the hash: %s", v, ok, raw)
	}
	fi, err := os.Stat(filepath.Join(dir, sessionsFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("sessions file mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestSessionsLogoutAndUserDeletionPersist: a logout and a user's
// deletion are still in effect after a restart.
func TestSessionsLogoutAndUserDeletionPersist(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := reopen(t, dir, c, 20)
	out := create(t, s, "u1")
	kept := create(t, s, "u1")
	gone1, gone2 := create(t, s, "u2"), create(t, s, "u2")
	if err := s.Delete(out); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser("u2"); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, dir, c, 20)
	for _, sec := range []string{out, gone1, gone2} {
		if uid, ok := s.Lookup(sec); ok {
			t.Fatalf("an ended session of %s is alive after reopen", uid)
		}
	}
	if _, ok := s.Lookup(kept); !ok {
		t.Fatal("the other session of u1 ended with the logout")
	}
	if n := s.Len(); n != 1 {
		t.Fatalf("%d sessions after reopen, want 1", n)
	}
}

// TestSessionsPerUserLimit: a login beyond max_sessions_per_user ends the
// user's oldest session, not another user's, and that holds after reopen.
func TestSessionsPerUserLimit(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := reopen(t, dir, c, 3)
	other := create(t, s, "u2")
	var mine []string
	for range 5 {
		c.t = c.t.Add(time.Second)
		mine = append(mine, create(t, s, "u1"))
	}
	s = reopen(t, dir, c, 3)
	for i, sec := range mine {
		_, ok := s.Lookup(sec)
		if want := i >= 2; ok != want {
			t.Errorf("u1's session %d alive = %v, want %v (the 3 newest stay)", i, ok, want)
		}
	}
	if _, ok := s.Lookup(other); !ok {
		t.Error("u2's session ended by u1's logins")
	}
	if n := s.Len(); n != 4 {
		t.Errorf("%d sessions, want 4", n)
	}

	// Lowered to 1 between two starts: only u1's newest stays.
	s = reopen(t, dir, c, 1)
	for i, sec := range mine {
		if _, ok := s.Lookup(sec); ok != (i == 4) {
			t.Errorf("max 1: u1's session %d alive = %v", i, ok)
		}
	}
	if _, ok := s.Lookup(other); !ok {
		t.Error("max 1: u2's only session ended")
	}
	if _, doc := readSessionsFile(t, dir); len(doc.Sessions) != 2 {
		t.Errorf("max 1: the file holds %d sessions, want 2", len(doc.Sessions))
	}
}

// TestSessionsWriteFailure: when the file cannot be written a login fails
// (no session the next start would not know), and a logout fails leaving
// the session alive, so it can be retried.
func TestSessionsWriteFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "auth")
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := reopen(t, dir, c, 20)
	secret := create(t, s, "u1")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Create("u1"); err == nil || !strings.Contains(err.Error(), "save sessions") {
		t.Fatalf("Create with the directory gone: err = %v", err)
	}
	if n := s.Len(); n != 1 {
		t.Fatalf("%d sessions after a failed login, want 1", n)
	}
	if err := s.Delete(secret); err == nil {
		t.Fatal("Delete with the directory gone: no error")
	}
	if _, ok := s.Lookup(secret); !ok {
		t.Fatal("a session whose logout failed ended anyway")
	}
}

// TestSessionsCorruptFile: a sessions file that is not JSON stops the
// start with a message naming the file and the fix.
func TestSessionsCorruptFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, sessionsFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := OpenSessions(dir, time.Hour, 20)
	if err == nil || !strings.Contains(err.Error(), sessionsFile) || !strings.Contains(err.Error(), "delete it") {
		t.Fatalf("err = %v", err)
	}
}

// TestSessionsLoweredTTL: a session_ttl lowered between two starts
// applies to the sessions made before.
func TestSessionsLoweredTTL(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Unix(1_000_000, 0)}
	s := reopen(t, dir, c, 20) // ttl 1h
	secret := create(t, s, "u1")
	c.t = c.t.Add(20 * time.Minute)
	s, err := openSessions(dir, 10*time.Minute, 20, c.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Lookup(secret); ok {
		t.Fatal("a 20-minute-old session alive with session_ttl lowered to 10m")
	}
	if _, doc := readSessionsFile(t, dir); len(doc.Sessions) != 0 {
		t.Fatalf("the file holds %d sessions, want 0", len(doc.Sessions))
	}
}

// TestSessionsConcurrentLogins: logins racing each other's file writes
// (done outside the table's lock) all reach the file.
func TestSessionsConcurrentLogins(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSessions(dir, time.Hour, 20)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 5
	secrets := make(chan string, workers*each)
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				secret, _, err := s.Create(fmt.Sprintf("u%d", w))
				if err != nil {
					errs <- err
					return
				}
				secrets <- secret
				if _, ok := s.Lookup(secret); !ok {
					errs <- fmt.Errorf("a new session is not found")
				}
			}
		})
	}
	wg.Wait()
	close(secrets)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err = OpenSessions(dir, time.Hour, 20)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for secret := range secrets {
		n++
		if _, ok := s.Lookup(secret); !ok {
			t.Errorf("session %d lost after reopen", n)
		}
	}
	if n != workers*each || s.Len() != n {
		t.Fatalf("%d logins, %d sessions after reopen; want %d", n, s.Len(), workers*each)
	}
}
