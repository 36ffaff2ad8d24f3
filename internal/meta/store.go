package meta

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// ErrNotFound is returned for an unknown dashboard ID.
var ErrNotFound = errors.New("not found")

// fileName is the document under <dir>: every dashboard and which prepared
// dashboards were seeded (so a deleted one is not brought back).
const fileName = "dashboards.json"

type document struct {
	Version    int          `json:"version"`
	Dashboards []*Dashboard `json:"dashboards"`
	Seeded     []string     `json:"seeded"`
	// Prepared remembers, per seeded key, what was seeded (see Seed).
	Prepared map[string]seedRecord `json:"prepared,omitempty"`
}

// Store keeps dashboards in memory and on disk (or in a Shared document).
// It is safe for concurrent use; every mutation is durable when it returns.
type Store struct {
	dir    string
	shared Shared
	now    func() time.Time

	mu  sync.Mutex
	doc document
}

// Open reads (or creates) the store in dir, e.g. <data dir>/meta.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create metadata directory %q: %w", dir, err)
	}
	s := &Store{dir: dir, now: time.Now, doc: document{Version: 1}}
	raw, err := os.ReadFile(filepath.Join(dir, fileName))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("read metadata: %w", err)
	}
	if err := json.Unmarshal(raw, &s.doc); err != nil {
		return nil, fmt.Errorf("metadata file %q is not valid JSON (restore it or move it away): %w",
			filepath.Join(dir, fileName), err)
	}
	return s, nil
}

// List returns copies of every dashboard, by name.
func (s *Store) List() []Dashboard {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.reloadLocked() // on failure: the last document read
	out := make([]Dashboard, 0, len(s.doc.Dashboards))
	for _, d := range s.doc.Dashboards {
		out = append(out, clone(d))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns a copy of one dashboard.
func (s *Store) Get(id string) (Dashboard, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return Dashboard{}, err
	}
	i := s.index(id)
	if i < 0 {
		return Dashboard{}, ErrNotFound
	}
	return clone(s.doc.Dashboards[i]), nil
}

// Create stores d under a new ID and returns it.
func (s *Store) Create(d Dashboard) (Dashboard, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return Dashboard{}, err
	}
	return s.createLocked(d)
}

func (s *Store) createLocked(d Dashboard) (Dashboard, error) {
	d = normalize(d)
	d.ID = newID()
	d.CreatedAt = s.now().UTC()
	d.UpdatedAt = d.CreatedAt
	c := clone(&d)
	s.doc.Dashboards = append(s.doc.Dashboards, &c)
	if err := s.saveLocked(); err != nil {
		s.doc.Dashboards = s.doc.Dashboards[:len(s.doc.Dashboards)-1]
		return Dashboard{}, err
	}
	return d, nil
}

// Update replaces dashboard id with d (ID and CreatedAt are kept).
func (s *Store) Update(id string, d Dashboard) (Dashboard, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return Dashboard{}, err
	}
	i := s.index(id)
	if i < 0 {
		return Dashboard{}, ErrNotFound
	}
	old := s.doc.Dashboards[i]
	d = normalize(d)
	d.ID, d.CreatedAt, d.UpdatedAt = id, old.CreatedAt, s.now().UTC()
	c := clone(&d)
	s.doc.Dashboards[i] = &c
	if err := s.saveLocked(); err != nil {
		s.doc.Dashboards[i] = old
		return Dashboard{}, err
	}
	return d, nil
}

// Delete removes dashboard id.
func (s *Store) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return err
	}
	i := s.index(id)
	if i < 0 {
		return ErrNotFound
	}
	old := append([]*Dashboard(nil), s.doc.Dashboards...)
	s.doc.Dashboards = append(s.doc.Dashboards[:i], s.doc.Dashboards[i+1:]...)
	if err := s.saveLocked(); err != nil {
		s.doc.Dashboards = old
		return err
	}
	return nil
}

// Duplicate copies dashboard id under a new ID, named "<name> (copy)".
func (s *Store) Duplicate(id string) (Dashboard, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return Dashboard{}, err
	}
	i := s.index(id)
	if i < 0 {
		return Dashboard{}, ErrNotFound
	}
	d := clone(s.doc.Dashboards[i])
	d.Name += " (copy)"
	return s.createLocked(d)
}

func (s *Store) index(id string) int {
	for i, d := range s.doc.Dashboards {
		if d.ID == id {
			return i
		}
	}
	return -1
}

// saveLocked writes the document durably (see writeDurable).
func (s *Store) saveLocked() error {
	raw, err := json.MarshalIndent(s.doc, "", "  ")
	if err != nil {
		return fmt.Errorf("BUG: encode metadata: %w", err)
	}
	if s.shared != nil {
		if err := s.shared.Save(raw); err != nil {
			return fmt.Errorf("write metadata: %w", err)
		}
		return nil
	}
	return writeDurable(s.dir, fileName, raw)
}

// writeDurable replaces <dir>/<name> with raw: temp file, fsync, rename,
// fsync of the directory, so a crash leaves the old or the new file.
func writeDurable(dir, name string, raw []byte) error {
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return fmt.Errorf("write metadata: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(raw)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write metadata %q: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace metadata %q: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: the rename is durable once the directory is
		d.Close()
	}
	return nil
}

func normalize(d Dashboard) Dashboard {
	if d.Tags == nil {
		d.Tags = []string{}
	}
	// Copy the tiles: d shares its backing array with the caller's value.
	d.Tiles = append([]Tile{}, d.Tiles...)
	for i := range d.Tiles {
		if d.Tiles[i].ID == "" {
			d.Tiles[i].ID = newID()[:8]
		}
		if d.Tiles[i].Config.Select == nil {
			d.Tiles[i].Config.Select = []Select{}
		}
	}
	return d
}

// clone deep-copies d through JSON (dashboards are small).
func clone(d *Dashboard) Dashboard {
	raw, _ := json.Marshal(d)
	var c Dashboard
	_ = json.Unmarshal(raw, &c)
	return c
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
