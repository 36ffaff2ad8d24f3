package meta

import (
	"errors"
	"maps"
	"sync"
	"testing"
)

// memSet is a SharedSet in memory, as two processes on one database see it.
type memSet struct {
	mu   sync.Mutex
	docs map[string][]byte
	puts int
}

func (m *memSet) LoadAll() (map[string][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.docs), nil
}

func (m *memSet) Put(k string, raw []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[k] = append([]byte(nil), raw...)
	m.puts++
	return nil
}

func (m *memSet) Delete(k string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.docs, k)
	return nil
}

// TestSharedAlerts: two alert stores on one shared set see each other's
// alerts, status writes (always durable) and deletions, and a write of one
// alert never loses another one created meanwhile.
func TestSharedAlerts(t *testing.T) {
	set := &memSet{docs: map[string][]byte{}}
	a, err := OpenSharedAlerts(set, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenSharedAlerts(set, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := a.Create(Alert{Name: "x", Source: "logs", Interval: "1m", Threshold: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.List(); len(got) != 1 || got[0].Name != "x" {
		t.Fatalf("b lists %+v", got)
	}
	// b evaluates x (non-durable write) while a creates y: neither is lost.
	if _, err := a.Create(Alert{Name: "y", Interval: "1m"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SetStatus(x.ID, false, func(st *AlertStatus) { st.State = "firing" }); err != nil {
		t.Fatal(err)
	}
	got := a.List()
	if len(got) != 2 || got[0].Name != "x" || got[0].State != "firing" || got[1].Name != "y" {
		t.Fatalf("a lists %+v", got)
	}
	if len(b.Schedules()) != 2 {
		t.Errorf("b schedules %v", b.Schedules())
	}
	if err := b.Delete(x.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(x.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("a still has the deleted alert: %v", err)
	}
	if got := a.List(); len(got) != 1 || got[0].Name != "y" {
		t.Errorf("a lists %+v", got)
	}
}

type fixedLease bool

func (l fixedLease) Held() bool { return bool(l) }

// TestSharedAlertsEvaluator: only the process holding the evaluator lease
// schedules the shared alerts; the others still read and change them.
func TestSharedAlertsEvaluator(t *testing.T) {
	set := &memSet{docs: map[string][]byte{}}
	a, err := OpenSharedAlerts(set, fixedLease(true))
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenSharedAlerts(set, fixedLease(false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Create(Alert{Name: "x", Interval: "1m"}); err != nil {
		t.Fatal(err)
	}
	a.loaded = a.loaded.Add(-scheduleReloadEvery) // as after the reload interval
	if got := a.Schedules(); len(got) != 1 {
		t.Errorf("the evaluator schedules %v", got)
	}
	if got := b.Schedules(); len(got) != 0 {
		t.Errorf("a process without the lease schedules %v", got)
	}
	if got := b.List(); len(got) != 1 {
		t.Errorf("b lists %v", got)
	}
}
