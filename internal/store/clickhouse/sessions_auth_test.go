package clickhouse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/auth"
)

// authBackend adapts LoginSessions to auth.SessionBackend (as
// internal/extension/overlookext does).
type authBackend struct{ l *LoginSessions }

func (b authBackend) Put(r auth.SessionRecord) error { return b.l.Put(LoginSession(r)) }
func (b authBackend) Get(h string) (auth.SessionRecord, bool, error) {
	r, ok, err := b.l.Get(h)
	return auth.SessionRecord(r), ok, err
}
func (b authBackend) Delete(rs []auth.SessionRecord) error {
	out := make([]LoginSession, len(rs))
	for i, r := range rs {
		out[i] = LoginSession(r)
	}
	return b.l.Delete(out)
}
func (b authBackend) UserSessions(u string) ([]auth.SessionRecord, error) {
	rs, err := b.l.UserSessions(u)
	out := make([]auth.SessionRecord, len(rs))
	for i, r := range rs {
		out[i] = auth.SessionRecord(r)
	}
	return out, err
}

// TestLoginSessionsShared: two processes (two stores on one database) share
// the login sessions: a login on A is known on B; a logout or a user's
// deletion on A ends it on B within auth.SessionRecheckEvery (injected
// clock); an expired session is refused; the table holds no cookie value.
func TestLoginSessionsShared(t *testing.T) {
	stA := openTest(t, nil)
	defer stA.Close()
	stB := openTest(t, nil) // same test name: same database
	defer stB.Close()
	if stA.LoginSessions() == nil || stB.LoginSessions() == nil {
		t.Fatal("LoginSessions() = nil on a writable store")
	}
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	now := t0
	clock := func() time.Time { return now }
	open := func(st *Store) *auth.Sessions {
		s, err := auth.OpenSharedSessions(authBackend{st.LoginSessions()}, time.Hour, 2, clock)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := open(stA), open(stB)

	secret, _, err := a.Create("u1")
	if err != nil {
		t.Fatal(err)
	}
	if uid, ok := b.Lookup(secret); !ok || uid != "u1" {
		t.Fatalf("B: Lookup(A's cookie) = %q, %v; want u1, true", uid, ok)
	}
	if _, ok := b.Lookup(secret + "x"); ok {
		t.Fatal("B accepts an unknown cookie")
	}

	// The table holds the SHA-256 of the cookie, never the cookie.
	sum := sha256.Sum256([]byte(secret))
	var rows []string
	if err := stA.scan(context.Background(), "SELECT Hash, UserID FROM "+ident(stA.db)+"."+authSessionsTable, nil, func(_ []string, v []any) error {
		rows = append(rows, v[0].(string)+" "+v[1].(string))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0] != hex.EncodeToString(sum[:])+" u1" {
		t.Fatalf("table rows = %q, want [<sha256 hex of the cookie> u1]", rows)
	}
	if strings.Contains(strings.Join(rows, ","), secret) {
		t.Fatal("the table holds the cookie's value")
	}

	// Logout on A: B refuses once its cached entry is re-checked.
	if err := a.Delete(secret); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Lookup(secret); ok {
		t.Fatal("A accepts its logged-out session")
	}
	now = now.Add(auth.SessionRecheckEvery)
	if _, ok := b.Lookup(secret); ok {
		t.Fatalf("B accepts the session %v after the logout on A", auth.SessionRecheckEvery)
	}
	if _, ok := open(stB).Lookup(secret); ok {
		t.Fatal("a fresh process accepts the logged-out session")
	}

	// User deletion on B ends the user's sessions made on A; the per-user
	// cap (2) ends the oldest.
	s1, _, _ := a.Create("u2")
	now = now.Add(time.Millisecond)
	s2, _, _ := a.Create("u2")
	now = now.Add(time.Millisecond)
	s3, _, _ := b.Create("u2")
	if _, ok := open(stB).Lookup(s1); ok {
		t.Fatal("the per-user cap did not end the oldest session")
	}
	for _, s := range []string{s2, s3} {
		if _, ok := open(stA).Lookup(s); !ok {
			t.Fatal("a session within the per-user cap is refused")
		}
	}
	if err := b.DeleteUser("u2"); err != nil {
		t.Fatal(err)
	}
	now = now.Add(auth.SessionRecheckEvery)
	for _, s := range []string{s2, s3} {
		if _, ok := a.Lookup(s); ok {
			t.Fatal("A accepts a session of a user deleted on B")
		}
	}

	// Expiry: refused by a process that never saw it.
	s4, _, _ := a.Create("u3")
	now = now.Add(time.Hour)
	if _, ok := open(stB).Lookup(s4); ok {
		t.Fatal("an expired session is accepted")
	}
}

// TestLoginSessionsReadOnly: a read_only store offers no shared table
// (sessions stay in each process's <data>/auth).
func TestLoginSessionsReadOnly(t *testing.T) {
	w := openTest(t, nil)
	w.Close()
	ro := openTest(t, func(c *Config) { c.ReadOnly = true })
	defer ro.Close()
	if ro.LoginSessions() != nil {
		t.Fatal("a read_only store offers the shared login sessions")
	}
}

// TestSharedDDLGolden pins the DDL of overlook's own shared tables.
func TestSharedDDLGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		cfg  Config
	}{
		{"ddl_shared_single.sql", Config{Database: "otel"}},
		{"ddl_shared_cluster.sql", Config{Database: "otel", Cluster: "prod"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := strings.Join([]string{metaDDL(tc.cfg), auditDDL(tc.cfg), authSessionsDDL(tc.cfg)}, ";\n\n") + ";\n"
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("DDL differs from %s (run with -update after a deliberate change):\n%s", path, got)
			}
		})
	}
}
