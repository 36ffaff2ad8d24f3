package auth

import (
	"slices"
	"sync"
	"testing"
)

type memDoc struct {
	mu  sync.Mutex
	raw []byte
}

func (m *memDoc) Load() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.raw), nil
}

func (m *memDoc) Save(raw []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.raw = slices.Clone(raw)
	return nil
}

type memAudit struct {
	mu  sync.Mutex
	evs []Event
}

func (m *memAudit) Append(ev Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evs = append(m.evs, ev)
	return nil
}

func (m *memAudit) Read(limit int) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.evs)
	slices.Reverse(out)
	return out[:min(limit, len(out))], nil
}

// TestSharedStore: two processes' stores on one shared document: a user
// and a token created through one log in and authenticate through the
// other at once, a revoked token stops working there, the local users of
// the first start are copied in, and the audit log is the shared one.
func TestSharedStore(t *testing.T) {
	dirA := t.TempDir()
	local, err := Open(dirA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.AddUser(NewUser{Email: "cli@example.com", Password: "correct horse battery", Role: Admin}); err != nil {
		t.Fatal(err)
	}
	doc, audit := &memDoc{}, &memAudit{}
	a, err := OpenShared(dirA, doc, audit)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenShared(t.TempDir(), doc, audit)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.CheckPassword("cli@example.com", "correct horse battery"); !ok {
		t.Fatal("the local user of the first start was not copied into the shared store")
	}
	empty, err := OpenShared(t.TempDir(), &memDoc{}, audit)
	if err != nil {
		t.Fatal(err)
	}
	if err := empty.Refresh(); err != nil || empty.HasUsers() {
		t.Fatal("users in an empty shared store")
	}
	if _, err := a.AddUser(NewUser{Email: "ana@example.com", Password: "another long password", Role: Editor}); err != nil {
		t.Fatal(err)
	}
	if u, ok := b.CheckPassword("ana@example.com", "another long password"); !ok || u.Role != Editor {
		t.Fatalf("login through b: %+v %v", u, ok)
	}
	secret, tok, err := a.CreateToken("grafana", Viewer, "", "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.TokenBySecret(secret); !ok {
		t.Fatal("token made through a unknown to b")
	}
	if _, err := b.DeleteToken(tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.TokenBySecret(secret); ok {
		// a read the document when the token was unknown... it was known:
		// refresh as the gate does, after the refresh interval.
		a.sharedAt = a.sharedAt.Add(-2 * sharedRefreshEvery)
		if err := a.Refresh(); err != nil {
			t.Fatal(err)
		}
		if _, ok := a.TokenBySecret(secret); ok {
			t.Error("token revoked through b still works through a after a refresh")
		}
	}
	if got := len(b.Users()); got != 2 {
		t.Errorf("b has %d users, want 2", got)
	}
	if err := a.Audit().Record(Event{Actor: "ana@example.com", Action: "login", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	evs, err := b.Audit().Read(10)
	if err != nil || len(evs) != 1 || evs[0].Action != "login" {
		t.Errorf("audit through b: %+v %v", evs, err)
	}
}

// TestSharedStoreClosesAtOnce: a process without users (the API open)
// sees the first user created through another process at its next
// refresh, not after the refresh interval.
func TestSharedStoreClosesAtOnce(t *testing.T) {
	doc, audit := &memDoc{}, &memAudit{}
	a, err := OpenShared(t.TempDir(), doc, audit)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenShared(t.TempDir(), doc, audit)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Refresh(); err != nil || b.HasUsers() {
		t.Fatal("users before setup")
	}
	if _, err := a.AddUser(NewUser{Email: "ana@example.com", Password: "another long password", Role: Admin, FirstOnly: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.Refresh(); err != nil || !b.HasUsers() {
		t.Fatal("b still open after the first user was created through a")
	}
}
