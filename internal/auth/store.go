// Package auth is overlook's access control: users with roles, password
// hashing (argon2id), browser sessions, API tokens, ingestion keys, the
// login rate limit, the audit log, and the HTTP gate that puts them in
// front of the API and UI (docs/security.md).
//
// Users and tokens live in one JSON document under <data>/auth/, written
// atomically (temp file, fsync, rename) under an exclusive file lock, so
// `overlook user add` can change it while a server runs: the server
// notices the file changed and re-reads it.
package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/overlook-dev/overlook/internal/tenancy"
)

// Role is what a user or token may do.
type Role string

// Roles, weakest first.
const (
	// Viewer reads: search, traces, charts, dashboards, PromQL, Tempo.
	Viewer Role = "viewer"
	// Editor also changes dashboards, alerts and saved searches.
	Editor Role = "editor"
	// Admin also manages users, API tokens and reads the audit log.
	Admin Role = "admin"
)

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case Viewer, Editor, Admin:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q: use admin, editor or viewer", s)
}

// Allows reports whether r includes need.
func (r Role) Allows(need Role) bool { return r.rank() >= need.rank() }

func (r Role) rank() int {
	switch r {
	case Admin:
		return 3
	case Editor:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

// User is one account.
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Role         Role      `json:"role"`
	Tenant       string    `json:"tenant,omitempty"`
	PasswordHash string    `json:"passwordHash"`
	Created      time.Time `json:"created"`
	CreatedBy    string    `json:"createdBy,omitempty"`
}

// Token is an API token. Only the SHA-256 of its secret is kept.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Tenant    string    `json:"tenant,omitempty"`
	Hash      string    `json:"hash"`
	Prefix    string    `json:"prefix"` // the secret's first characters, to recognise it
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"createdBy,omitempty"`
}

type document struct {
	Version int     `json:"version"`
	Users   []User  `json:"users"`
	Tokens  []Token `json:"tokens"`
}

// Sentinel errors callers branch on.
var (
	ErrExists     = errors.New("already exists")
	ErrNotFound   = errors.New("not found")
	ErrSetupDone  = errors.New("setup is done: a user exists already")
	ErrLastAdmin  = errors.New("the last admin cannot be deleted")
	ErrBadRequest = errors.New("invalid request")
)

const (
	docFile  = "users.json"
	lockFile = "users.lock"
)

// Store holds users and tokens, persisted under dir.
type Store struct {
	dir string
	// shared, when set, holds the document instead of dir (shared.go);
	// sharedRaw is its last read, sharedAt when; audit is its audit log.
	shared    SharedDoc
	sharedRaw []byte
	sharedAt  time.Time
	audit     *Audit

	mu    sync.RWMutex
	doc   document
	stamp fileStamp
}

type fileStamp struct {
	size  int64
	mtime time.Time
	ino   uint64
}

// Open opens (creating) the user store in dir, e.g. <data>/auth.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create auth directory %q: %w", dir, err)
	}
	s := &Store{dir: dir}
	if err := s.reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path() string { return filepath.Join(s.dir, docFile) }

func stampOf(fi os.FileInfo) fileStamp {
	st := fileStamp{size: fi.Size(), mtime: fi.ModTime()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = sys.Ino
	}
	return st
}

// reload reads the document if the file changed since the last read
// (another process — `overlook user add` — may have written it).
func (s *Store) reload() error {
	if s.shared != nil {
		// Without users the API is open: confirm that with the newest
		// document on every request, so the first user created through
		// another process closes it here at once.
		return s.reloadShared(!s.HasUsers())
	}
	fi, err := os.Stat(s.path())
	if errors.Is(err, os.ErrNotExist) {
		s.mu.Lock()
		s.doc, s.stamp = document{}, fileStamp{}
		s.mu.Unlock()
		return nil
	}
	if err != nil {
		return fmt.Errorf("stat %q: %w", s.path(), err)
	}
	st := stampOf(fi)
	s.mu.RLock()
	same := st == s.stamp
	s.mu.RUnlock()
	if same {
		return nil
	}
	doc, err := readDoc(s.path())
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.doc, s.stamp = doc, st
	s.mu.Unlock()
	return nil
}

func readDoc(path string) (document, error) {
	var doc document
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return doc, nil
	}
	if err != nil {
		return doc, fmt.Errorf("read users %q: %w", path, err)
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return doc, fmt.Errorf("users file %q is not valid JSON (restore it from a backup or delete it to start over): %w", path, err)
	}
	return doc, nil
}

// Refresh re-reads the file if another process changed it.
func (s *Store) Refresh() error { return s.reload() }

// update applies fn to the current document under an exclusive file lock
// (so a CLI and a server never lose each other's change) and writes it
// durably.
func (s *Store) update(fn func(*document) error) error {
	if s.shared != nil {
		return s.updateShared(fn)
	}
	lf, err := os.OpenFile(filepath.Join(s.dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open lock file: %w", err)
	}
	defer lf.Close()
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %q: %w", lf.Name(), err)
	}
	defer syscall.Flock(int(lf.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing the file unlocks too
	doc, err := readDoc(s.path())
	if err != nil {
		return err
	}
	if err := fn(&doc); err != nil {
		return err
	}
	doc.Version = 1
	if err := writeDoc(s.dir, docFile, doc); err != nil {
		return err
	}
	fi, err := os.Stat(s.path())
	if err != nil {
		return fmt.Errorf("stat %q: %w", s.path(), err)
	}
	s.mu.Lock()
	s.doc, s.stamp = doc, stampOf(fi)
	s.mu.Unlock()
	return nil
}

func writeDoc(dir, name string, doc document) error {
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("BUG: encode users: %w", err)
	}
	if err := writeFileAtomic(dir, name, raw); err != nil {
		return fmt.Errorf("write users: %w", err)
	}
	return nil
}

// writeFileAtomic replaces dir/name with raw durably: a temp file (mode
// 0600), fsync, rename, fsync of the directory. A reader sees the old or
// the new content, never a part.
func writeFileAtomic(dir, name string, raw []byte) error {
	f, err := os.CreateTemp(dir, name+".tmp-*")
	if err != nil {
		return fmt.Errorf("create a temporary file in %q: %w", dir, err)
	}
	tmp := f.Name()
	_, werr := f.Write(raw)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %q: %w", tmp, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("replace %q: %w", filepath.Join(dir, name), err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the rename is durable once the directory is
		d.Close()
	}
	return nil
}

// HasUsers reports whether any user exists (auth is on from then on).
func (s *Store) HasUsers() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.doc.Users) > 0
}

// Users lists the users (without password hashes).
func (s *Store) Users() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, len(s.doc.Users))
	for i, u := range s.doc.Users {
		u.PasswordHash = ""
		out[i] = u
	}
	return out
}

// UserByID returns a user by ID.
func (s *Store) UserByID(id string) (User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, u := range s.doc.Users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

func (s *Store) userByEmail(email string) (User, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, u := range s.doc.Users {
		if strings.EqualFold(u.Email, email) {
			return u, true
		}
	}
	return User{}, false
}

// NewUser is what AddUser needs.
type NewUser struct {
	Email, Password, Tenant string
	Role                    Role
	// FirstOnly refuses with ErrSetupDone when a user exists already
	// (POST /api/setup).
	FirstOnly bool
	By        string // who creates it (audit)
}

// AddUser validates and creates a user.
func (s *Store) AddUser(n NewUser) (User, error) {
	email := strings.TrimSpace(n.Email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return User{}, fmt.Errorf("%w: email %q is not an address like name@example.com", ErrBadRequest, n.Email)
	}
	if _, err := ParseRole(string(n.Role)); err != nil {
		return User{}, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	if t := strings.TrimSpace(n.Tenant); t != "" {
		if err := tenancy.Validate(t); err != nil {
			return User{}, fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
	}
	if len(n.Password) < MinPasswordLength {
		return User{}, fmt.Errorf("%w: the password must be at least %d characters", ErrBadRequest, MinPasswordLength)
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	id, err := randomSecret(9)
	if err != nil {
		return User{}, err
	}
	u := User{ID: id, Email: email, Role: n.Role, Tenant: strings.TrimSpace(n.Tenant), PasswordHash: hash,
		Created: time.Now().UTC(), CreatedBy: n.By}
	err = s.update(func(d *document) error {
		if n.FirstOnly && len(d.Users) > 0 {
			return ErrSetupDone
		}
		for _, o := range d.Users {
			if strings.EqualFold(o.Email, email) {
				return fmt.Errorf("user %q: %w", email, ErrExists)
			}
		}
		d.Users = append(d.Users, u)
		return nil
	})
	u.PasswordHash = ""
	return u, err
}

// DeleteUser removes a user; the last admin cannot be removed.
func (s *Store) DeleteUser(id string) (User, error) {
	var gone User
	err := s.update(func(d *document) error {
		i := slices.IndexFunc(d.Users, func(u User) bool { return u.ID == id })
		if i < 0 {
			return fmt.Errorf("user %q: %w", id, ErrNotFound)
		}
		gone = d.Users[i]
		if gone.Role == Admin && countAdmins(d.Users) == 1 {
			return ErrLastAdmin
		}
		d.Users = slices.Delete(d.Users, i, i+1)
		return nil
	})
	gone.PasswordHash = ""
	return gone, err
}

func countAdmins(us []User) int {
	n := 0
	for _, u := range us {
		if u.Role == Admin {
			n++
		}
	}
	return n
}

// CheckPassword returns the user whose email and password match. An
// unknown email costs one hash verification too.
func (s *Store) CheckPassword(email, password string) (User, bool) {
	u, ok := s.userByEmail(strings.TrimSpace(email))
	if !ok && s.shared != nil && s.reloadShared(true) == nil {
		// Created through another process since the last read?
		u, ok = s.userByEmail(strings.TrimSpace(email))
	}
	hash := u.PasswordHash
	if !ok {
		hash = dummyHash()
	}
	match, err := VerifyPassword(hash, password)
	if err != nil || !match || !ok {
		return User{}, false
	}
	u.PasswordHash = ""
	return u, true
}

// TokenPrefix starts every API token's secret, so leaked tokens are easy
// to recognise (and scan for).
const TokenPrefix = "olk_"

// CreateToken makes an API token; the secret is returned once.
func (s *Store) CreateToken(name string, role Role, tenant, by string) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return "", Token{}, fmt.Errorf("%w: a token needs a name (1–200 characters) saying what uses it, e.g. \"grafana\"", ErrBadRequest)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return "", Token{}, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	tenant = strings.TrimSpace(tenant)
	if tenant != "" {
		if err := tenancy.Validate(tenant); err != nil {
			return "", Token{}, fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
	}
	raw, err := randomSecret(32)
	if err != nil {
		return "", Token{}, err
	}
	id, err := randomSecret(9)
	if err != nil {
		return "", Token{}, err
	}
	secret := TokenPrefix + raw
	t := Token{ID: id, Name: name, Role: role, Tenant: tenant, Hash: hashSecret(secret), Prefix: secret[:len(TokenPrefix)+4],
		Created: time.Now().UTC(), CreatedBy: by}
	err = s.update(func(d *document) error {
		d.Tokens = append(d.Tokens, t)
		return nil
	})
	return secret, t, err
}

// Tokens lists the API tokens (hashes omitted).
func (s *Store) Tokens() []Token {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Token, len(s.doc.Tokens))
	for i, t := range s.doc.Tokens {
		t.Hash = ""
		out[i] = t
	}
	return out
}

// DeleteToken revokes a token.
func (s *Store) DeleteToken(id string) (Token, error) {
	var gone Token
	err := s.update(func(d *document) error {
		i := slices.IndexFunc(d.Tokens, func(t Token) bool { return t.ID == id })
		if i < 0 {
			return fmt.Errorf("token %q: %w", id, ErrNotFound)
		}
		gone = d.Tokens[i]
		d.Tokens = slices.Delete(d.Tokens, i, i+1)
		return nil
	})
	gone.Hash = ""
	return gone, err
}

// TokenBySecret finds the token with this secret. The lookup is by the
// secret's SHA-256, so its time does not depend on how much of a guess
// matches.
func (s *Store) TokenBySecret(secret string) (Token, bool) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return Token{}, false
	}
	h := hashSecret(secret)
	if t, ok := s.tokenByHash(h); ok || s.shared == nil || s.reloadShared(true) != nil {
		return t, ok
	}
	// Created through another process since the last read?
	return s.tokenByHash(h)
}

func (s *Store) tokenByHash(h string) (Token, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, t := range s.doc.Tokens {
		if t.Hash == h {
			t.Hash = ""
			return t, true
		}
	}
	return Token{}, false
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
