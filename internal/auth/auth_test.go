package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPasswordHashVerify(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	for _, tc := range []struct {
		pw   string
		want bool
	}{{"correct horse", true}, {"correct hors", false}, {"", false}} {
		ok, err := VerifyPassword(h, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("VerifyPassword(%q) = %v, %v; want %v", tc.pw, ok, err, tc.want)
		}
	}
	if _, err := VerifyPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a non-argon2id hash verified without error")
	}
}

func TestStoreUsersAndTokens(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.HasUsers() {
		t.Fatal("new store has users")
	}
	for _, tc := range []struct {
		name string
		n    NewUser
		want error
	}{
		{"bad email", NewUser{Email: "nope", Password: "longenough", Role: Admin}, ErrBadRequest},
		{"short password", NewUser{Email: "a@x.io", Password: "short", Role: Admin}, ErrBadRequest},
		{"bad role", NewUser{Email: "a@x.io", Password: "longenough", Role: "root"}, ErrBadRequest},
		{"first admin", NewUser{Email: "a@x.io", Password: "longenough", Role: Admin, FirstOnly: true}, nil},
		{"setup twice", NewUser{Email: "b@x.io", Password: "longenough", Role: Admin, FirstOnly: true}, ErrSetupDone},
		{"duplicate email", NewUser{Email: "A@x.io", Password: "longenough", Role: Viewer}, ErrExists},
		{"viewer", NewUser{Email: "v@x.io", Password: "longenough", Role: Viewer}, nil},
	} {
		_, err := s.AddUser(tc.n)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: AddUser err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, ok := s.CheckPassword("a@x.io", "longenough"); !ok {
		t.Error("right password refused")
	}
	if _, ok := s.CheckPassword("a@x.io", "wrong-password"); ok {
		t.Error("wrong password accepted")
	}
	if _, ok := s.CheckPassword("ghost@x.io", "longenough"); ok {
		t.Error("unknown user accepted")
	}
	raw, _ := os.ReadFile(filepath.Join(dir, docFile))
	if strings.Contains(string(raw), "longenough") {
		t.Fatal("the users file holds a clear-text password")
	}

	// Another process (the CLI) adds a user: this store sees it on Refresh.
	other, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddUser(NewUser{Email: "cli@x.io", Password: "longenough", Role: Editor}); err != nil {
		t.Fatal(err)
	}
	if err := s.Refresh(); err != nil {
		t.Fatal(err)
	}
	if n := len(s.Users()); n != 3 {
		t.Fatalf("after the other writer: %d users, want 3", n)
	}

	admin, _ := s.userByEmail("a@x.io")
	if _, err := s.DeleteUser(admin.ID); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("deleting the last admin: err = %v, want ErrLastAdmin", err)
	}

	secret, tok, err := s.CreateToken("grafana", Viewer, "", "a@x.io")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, TokenPrefix) || tok.Hash == secret {
		t.Fatalf("token %q / stored %q", secret, tok.Hash)
	}
	if got, ok := s.TokenBySecret(secret); !ok || got.ID != tok.ID || got.Role != Viewer {
		t.Fatalf("TokenBySecret = %+v, %v", got, ok)
	}
	if _, ok := s.TokenBySecret(secret + "x"); ok {
		t.Fatal("a wrong secret matched")
	}
	if _, err := s.DeleteToken(tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.TokenBySecret(secret); ok {
		t.Fatal("a revoked token still works")
	}
}

func TestSessionsExpire(t *testing.T) {
	now := time.Unix(1000, 0)
	s := NewSessions(time.Hour)
	s.now = func() time.Time { return now }
	id, _, err := s.Create("u1")
	if err != nil {
		t.Fatal(err)
	}
	if uid, ok := s.Lookup(id); !ok || uid != "u1" {
		t.Fatalf("Lookup = %q, %v", uid, ok)
	}
	now = now.Add(time.Hour)
	if _, ok := s.Lookup(id); ok {
		t.Fatal("session alive at its expiry")
	}
	id2, _, _ := s.Create("u2")
	s.DeleteUser("u2")
	if _, ok := s.Lookup(id2); ok {
		t.Fatal("session of a deleted user alive")
	}
}

func TestLoginLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := NewLoginLimiter(3, time.Minute)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if w := l.Wait("k"); w != 0 {
			t.Fatalf("attempt %d must wait %s", i, w)
		}
		l.Fail("k")
		now = now.Add(10 * time.Second)
	}
	// Failures at 0s, 10s, 20s; now 30s: the first ages out at 60s.
	if w := l.Wait("k"); w != 30*time.Second {
		t.Fatalf("Wait = %s, want 30s", w)
	}
	if w := l.Wait("other"); w != 0 {
		t.Fatalf("another key waits %s", w)
	}
	now = now.Add(30 * time.Second)
	if w := l.Wait("k"); w != 0 {
		t.Fatalf("after the window: Wait = %s", w)
	}
	l.Fail("k")
	l.Succeed("k")
	if w := l.Wait("k"); w != 0 {
		t.Fatalf("after success: Wait = %s", w)
	}
}

func TestIngestionKeys(t *testing.T) {
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	k, err := LoadIngestionKeys([]KeyConfig{{KeyFile: write("a", "key-aaaaaaaaaaaaaaaa\n"), Tenant: "team-a"}, {KeyFile: write("b", "key-bbbbbbbbbbbbbbbb")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		header, tenant string
		err            error
	}{
		{"Bearer key-aaaaaaaaaaaaaaaa", "team-a", nil},
		{"bearer   key-aaaaaaaaaaaaaaaa ", "team-a", nil},
		{"key-bbbbbbbbbbbbbbbb", "", nil}, // HyperDX's bare form
		{"", "", ErrNoKey},
		{"Bearer key-aaaaaaaaaaaaaaa", "", ErrWrongKey},
		{"Basic a2V5", "", ErrWrongKey},
	} {
		tenant, err := k.Check(tc.header)
		if !errors.Is(err, tc.err) || tenant != tc.tenant {
			t.Errorf("Check(%q) = %q, %v; want %q, %v", tc.header, tenant, err, tc.tenant, tc.err)
		}
	}
	if _, err := LoadIngestionKeys([]KeyConfig{{KeyFile: write("short", "abc")}}); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("a short key: err = %v", err)
	}
	if _, err := LoadIngestionKeys([]KeyConfig{{KeyFile: filepath.Join(dir, "missing")}}); err == nil {
		t.Error("a missing key file loaded")
	}
	if k, err := LoadIngestionKeys(nil); k != nil || err != nil {
		t.Errorf("no keys: %v, %v", k, err)
	}
}

func TestAuditNewestFirst(t *testing.T) {
	a := NewAudit(t.TempDir())
	for _, act := range []string{"login", "user.create", "token.delete"} {
		if err := a.Record(Event{Actor: "x@y.z", Action: act, Outcome: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := a.Read(2)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Action != "token.delete" || evs[1].Action != "user.create" || evs[0].Time.IsZero() {
		t.Fatalf("events %+v", evs)
	}
}

// TestTenantNamesValidated: a user's or token's tenant must be a valid
// tenant name (it becomes a directory and a database suffix).
func TestTenantNamesValidated(t *testing.T) {
	st, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tenant string
		ok     bool
	}{{"", true}, {"team-a", true}, {"../etc", false}, {"a b", false}, {"a|b", false}} {
		_, err := st.AddUser(NewUser{Email: "u" + strconv.Itoa(len(st.Users())) + "@example.com",
			Password: "long-enough-password", Role: Viewer, Tenant: tc.tenant})
		if (err == nil) != tc.ok {
			t.Errorf("user of tenant %q: %v", tc.tenant, err)
		}
		_, _, err = st.CreateToken("tok", Viewer, tc.tenant, "test")
		if (err == nil) != tc.ok || !tc.ok && !errors.Is(err, ErrBadRequest) {
			t.Errorf("token of tenant %q: %v", tc.tenant, err)
		}
	}
}
