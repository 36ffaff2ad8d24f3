package auth

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Event is one audit record: who did what to what, when, with which outcome.
type Event struct {
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`            // email, "token:<name>", "cli" or "anonymous"
	Action  string    `json:"action"`           // login, logout, setup, user.create, user.delete, token.create, token.delete
	Target  string    `json:"target,omitempty"` // the user's email or the token's name
	Outcome string    `json:"outcome"`          // ok, failed, rate_limited
	IP      string    `json:"ip,omitempty"`
}

// Audit appends events to <dir>/audit.jsonl, one JSON object a line,
// fsync'd, so a CLI and a server can both append.
type Audit struct {
	path string
	// sink, when set, keeps the events instead of path (shared by every
	// process of a scale-out deployment; OpenShared).
	sink AuditSink
	mu   sync.Mutex
}

const auditFile = "audit.jsonl"

// maxAuditRead bounds how many bytes Read scans from the file's end.
const maxAuditRead = 8 << 20

// NewAudit returns the audit log in dir.
func NewAudit(dir string) *Audit { return &Audit{path: filepath.Join(dir, auditFile)} }

// Record appends ev (Time set to now when zero).
func (a *Audit) Record(ev Event) error {
	if ev.Time.IsZero() {
		ev.Time = time.Now().UTC()
	}
	if a.sink != nil {
		if err := a.sink.Append(ev); err != nil {
			return fmt.Errorf("append to the shared audit log: %w", err)
		}
		return nil
	}
	line, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("BUG: encode audit event: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open audit log: %w", err)
	}
	_, werr := f.Write(append(line, '\n'))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("append to audit log %q: %w", a.path, err)
	}
	return nil
}

// Read returns up to limit events, newest first (from the last 8 MiB of
// the file).
func (a *Audit) Read(limit int) ([]Event, error) {
	if a.sink != nil {
		evs, err := a.sink.Read(limit)
		if err != nil {
			return nil, fmt.Errorf("read the shared audit log: %w", err)
		}
		return evs, nil
	}
	f, err := os.Open(a.path)
	if errors.Is(err, os.ErrNotExist) {
		return []Event{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > maxAuditRead {
		if _, err := f.Seek(fi.Size()-maxAuditRead, 0); err != nil {
			return nil, fmt.Errorf("seek audit log: %w", err)
		}
	}
	var evs []Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var ev Event
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Action != "" {
			evs = append(evs, ev)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	slices.Reverse(evs)
	if len(evs) > limit {
		evs = evs[:limit]
	}
	return evs, nil
}
