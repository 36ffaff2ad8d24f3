package meta

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// seedRecord is what Seed remembers of a prepared dashboard it wrote: which
// dashboard holds it, the definition's hash, and the dashboard's UpdatedAt
// right after Seed wrote it (a later user save changes it).
type seedRecord struct {
	ID        string    `json:"id"`
	Hash      string    `json:"hash"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Seed creates each dashboard of prepared whose key has never been seeded
// before, and upgrades a seeded one in place when its definition changed in
// this release and the user never saved it (a dashboard the user edited is
// theirs and stays as it is). It is idempotent across restarts, and a
// prepared dashboard the user deleted stays deleted.
func (s *Store) Seed(prepared map[string]Dashboard) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return err
	}
	keys := make([]string, 0, len(prepared))
	for k := range prepared {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := s.seedLocked(k, prepared[k]); err != nil {
			return fmt.Errorf("seed dashboard %q: %w", k, err)
		}
	}
	return nil
}

func (s *Store) seedLocked(key string, d Dashboard) error {
	hash := definitionHash(d)
	if !contains(s.doc.Seeded, key) {
		created, err := s.createLocked(d)
		if err != nil {
			return err
		}
		return s.recordSeedLocked(key, seedRecord{ID: created.ID, Hash: hash, UpdatedAt: created.UpdatedAt})
	}
	rec, ok := s.doc.Prepared[key]
	if !ok || rec.Hash == hash {
		return nil // seeded before records were kept, or unchanged
	}
	i := s.index(rec.ID)
	if i < 0 || !s.doc.Dashboards[i].UpdatedAt.Equal(rec.UpdatedAt) {
		return nil // deleted or edited by the user
	}
	old := s.doc.Dashboards[i]
	up := normalize(d)
	up.ID, up.CreatedAt, up.UpdatedAt = old.ID, old.CreatedAt, s.now().UTC()
	c := clone(&up)
	s.doc.Dashboards[i] = &c
	if err := s.recordSeedLocked(key, seedRecord{ID: up.ID, Hash: hash, UpdatedAt: up.UpdatedAt}); err != nil {
		s.doc.Dashboards[i] = old
		return err
	}
	return nil
}

// recordSeedLocked marks key seeded with rec and saves the document.
func (s *Store) recordSeedLocked(key string, rec seedRecord) error {
	prevSeeded, prevRec, had := s.doc.Seeded, s.doc.Prepared[key], false
	if s.doc.Prepared == nil {
		s.doc.Prepared = map[string]seedRecord{}
	}
	if _, had = s.doc.Prepared[key]; !contains(s.doc.Seeded, key) {
		s.doc.Seeded = append(s.doc.Seeded, key)
	}
	s.doc.Prepared[key] = rec
	if err := s.saveLocked(); err != nil {
		s.doc.Seeded = prevSeeded
		if had {
			s.doc.Prepared[key] = prevRec
		} else {
			delete(s.doc.Prepared, key)
		}
		return err
	}
	return nil
}

// definitionHash identifies a prepared dashboard's definition (before IDs
// and times are assigned).
func definitionHash(d Dashboard) string {
	raw, err := json.Marshal(d)
	if err != nil {
		panic(fmt.Sprintf("BUG: encode dashboard: %v", err))
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}
