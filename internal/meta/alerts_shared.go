package meta

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// SharedSet is a set of documents by key that several overlook processes
// share (the ClickHouse backend keeps them in the database; see
// internal/store/clickhouse/meta.go). LoadAll returns the newest document
// of every key (deleted keys absent); Put stores raw as key's newest and
// Delete removes key, each returning once durable.
type SharedSet interface {
	LoadAll() (map[string][]byte, error)
	Put(key string, raw []byte) error
	Delete(key string) error
}

// Lease tells whether this process holds a lease the processes sharing
// the metadata compete for (ClickHouse: internal/store/clickhouse/lease.go).
type Lease interface {
	Held() bool
}

// scheduleReloadEvery bounds how often Schedules (called every second by
// the scheduler) re-reads a shared set.
const scheduleReloadEvery = 5 * time.Second

// OpenSharedAlerts opens an alert store whose alerts live in set, one
// document per alert: every operation reads the newest documents first,
// so an alert created, changed or deleted through one process is seen by
// the others; concurrent writes of one alert are last-writer-wins for that
// alert only (docs/scale-out.md). Every status write is durable (a status
// kept in memory only would be lost at the next read). evaluator, when not
// nil, elects the one process that evaluates the alerts: Schedules is
// empty in the others, so a firing alert notifies once, not once per
// process.
func OpenSharedAlerts(set SharedSet, evaluator Lease) (*AlertStore, error) {
	s := &AlertStore{set: set, lease: evaluator, now: time.Now, doc: alertsDocument{Version: 1}}
	if err := s.reloadLocked(); err != nil {
		return nil, err
	}
	return s, nil
}

// reloadLocked reads the shared alerts (no-op for a file store).
func (s *AlertStore) reloadLocked() error {
	if s.set == nil {
		return nil
	}
	docs, err := s.set.LoadAll()
	if err != nil {
		return fmt.Errorf("read shared alerts: %w", err)
	}
	alerts := make([]*AlertRecord, 0, len(docs))
	for key, raw := range docs {
		var r AlertRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("shared alert %q is not valid JSON: %w", key, err)
		}
		alerts = append(alerts, &r)
	}
	sort.Slice(alerts, func(i, j int) bool {
		if !alerts[i].CreatedAt.Equal(alerts[j].CreatedAt) {
			return alerts[i].CreatedAt.Before(alerts[j].CreatedAt)
		}
		return alerts[i].ID < alerts[j].ID
	})
	s.doc.Alerts = alerts
	s.loaded = s.now()
	return nil
}

// persistLocked makes r (one of s.doc.Alerts) durable: its own document
// in a shared set, else the whole file.
func (s *AlertStore) persistLocked(r *AlertRecord) error {
	if s.set == nil {
		return s.saveLocked()
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("BUG: encode alert: %w", err)
	}
	if err := s.set.Put(r.ID, raw); err != nil {
		return fmt.Errorf("save alert %s: %w", r.ID, err)
	}
	return nil
}

// removeLocked makes the deletion of alert id durable.
func (s *AlertStore) removeLocked(id string) error {
	if s.set == nil {
		return s.saveLocked()
	}
	if err := s.set.Delete(id); err != nil {
		return fmt.Errorf("delete alert %s: %w", id, err)
	}
	return nil
}
