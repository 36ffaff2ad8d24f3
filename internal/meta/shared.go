package meta

import (
	"encoding/json"
	"fmt"
	"time"
)

// Shared is a metadata document several overlook processes share (the
// ClickHouse backend keeps it in the database; see
// internal/store/clickhouse/meta.go). Load returns the newest saved
// document, nil when none was saved yet; Save stores raw as the newest and
// returns once it is durable.
type Shared interface {
	Load() ([]byte, error)
	Save(raw []byte) error
}

// OpenShared opens a store whose document lives in sh: every operation
// reads the newest document first, so what one process saved the others
// see. Concurrent edits of two processes are last-writer-wins on the whole
// document (docs/scale-out.md).
func OpenShared(sh Shared) (*Store, error) {
	s := &Store{shared: sh, now: time.Now, doc: document{Version: 1}}
	if err := s.reloadLocked(); err != nil {
		return nil, err
	}
	return s, nil
}

// reloadLocked reads the shared document (no-op for a file store).
func (s *Store) reloadLocked() error {
	if s.shared == nil {
		return nil
	}
	raw, err := s.shared.Load()
	if err != nil {
		return fmt.Errorf("read shared metadata: %w", err)
	}
	doc := document{Version: 1}
	if raw != nil {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("shared metadata document is not valid JSON: %w", err)
		}
	}
	s.doc = doc
	return nil
}
