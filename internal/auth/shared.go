package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// SharedDoc is a document several overlook processes share (the
// ClickHouse backend keeps it in its database; internal/store/clickhouse/
// meta.go). Load returns the newest saved document, nil when none was
// saved; Save stores raw as the newest, returning once it is durable.
type SharedDoc interface {
	Load() ([]byte, error)
	Save(raw []byte) error
}

// AuditSink is an audit log several processes share: Append stores one
// event durably; Read returns up to limit events, newest first.
type AuditSink interface {
	Append(ev Event) error
	Read(limit int) ([]Event, error)
}

// sharedRefreshEvery bounds how often a shared store re-reads its
// document for a request (the gate refreshes on every request): a user or
// token created or deleted through another process is seen here within
// it. A login or token unknown here re-reads at once.
const sharedRefreshEvery = time.Second

// OpenShared opens a user store whose users and tokens live in doc and
// whose audit log is audit (both shared by every process of a scale-out
// deployment). dir is the local auth directory: when the shared document
// does not exist yet, the users and tokens of dir's file (e.g. made with
// `overlook user add` before the first start) are copied into it.
// Concurrent changes through two processes are last-writer-wins on the
// document (users and tokens are changed rarely, by admins).
func OpenShared(dir string, doc SharedDoc, audit AuditSink) (*Store, error) {
	s := &Store{dir: dir, shared: doc, audit: &Audit{sink: audit}}
	raw, err := doc.Load()
	if err != nil {
		return nil, fmt.Errorf("read the shared users: %w", err)
	}
	if raw == nil {
		local, err := readDoc(s.path())
		if err != nil {
			return nil, err
		}
		if len(local.Users) > 0 || len(local.Tokens) > 0 {
			if err := s.saveShared(local); err != nil {
				return nil, fmt.Errorf("copy the users of %s into the shared store: %w", s.path(), err)
			}
		}
	}
	if err := s.reloadShared(true); err != nil {
		return nil, err
	}
	return s, nil
}

// Shared reports whether the store's document is shared (OpenShared).
func (s *Store) Shared() bool { return s.shared != nil }

// Audit returns the store's audit log: the shared one of a shared store,
// else <dir>/audit.jsonl.
func (s *Store) Audit() *Audit {
	if s.audit != nil {
		return s.audit
	}
	return NewAudit(s.dir)
}

// reloadShared reads the shared document when force is set or the last
// read is older than sharedRefreshEvery.
func (s *Store) reloadShared(force bool) error {
	s.mu.RLock()
	fresh := !force && time.Since(s.sharedAt) < sharedRefreshEvery
	s.mu.RUnlock()
	if fresh {
		return nil
	}
	raw, err := s.shared.Load()
	if err != nil {
		return fmt.Errorf("read the shared users: %w", err)
	}
	s.mu.RLock()
	same := raw != nil && bytes.Equal(raw, s.sharedRaw)
	s.mu.RUnlock()
	var doc document
	if !same && raw != nil {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("the shared users document is not valid JSON: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sharedAt = time.Now()
	if !same {
		s.doc, s.sharedRaw = doc, raw
	}
	return nil
}

// updateShared applies fn to the newest shared document and saves it.
func (s *Store) updateShared(fn func(*document) error) error {
	if err := s.reloadShared(true); err != nil {
		return err
	}
	s.mu.RLock()
	doc := cloneDoc(s.doc)
	s.mu.RUnlock()
	if err := fn(&doc); err != nil {
		return err
	}
	return s.saveShared(doc)
}

func (s *Store) saveShared(doc document) error {
	doc.Version = 1
	raw, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("BUG: encode users: %w", err)
	}
	if err := s.shared.Save(raw); err != nil {
		return fmt.Errorf("save the shared users: %w", err)
	}
	s.mu.Lock()
	s.doc, s.sharedRaw, s.sharedAt = doc, raw, time.Now()
	s.mu.Unlock()
	return nil
}

func cloneDoc(d document) document {
	d.Users = append([]User(nil), d.Users...)
	d.Tokens = append([]Token(nil), d.Tokens...)
	return d
}
