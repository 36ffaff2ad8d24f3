package overlookext

import (
	"time"

	"github.com/overlook-dev/overlook/internal/auth"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/clickhouse"
)

// sharedSessions is implemented by stores that keep the login sessions
// every process on them shares (ClickHouse's overlook_sessions).
type sharedSessions interface {
	LoginSessions() *clickhouse.LoginSessions
}

// openSessions opens the browser login sessions: shared in the store when
// it offers that (a login on one process is valid on every other; not
// with read_only), else <directory>/auth/sessions.json of this process.
func openSessions(st store.Store, authDir string, ttl time.Duration, maxPerUser int) (*auth.Sessions, error) {
	if ss, ok := st.(sharedSessions); ok {
		if l := ss.LoginSessions(); l != nil {
			return auth.OpenSharedSessions(sessionBackend{l}, ttl, maxPerUser, nil)
		}
	}
	return auth.OpenSessions(authDir, ttl, maxPerUser)
}

// sessionBackend adapts ClickHouse's login sessions to auth.SessionBackend.
type sessionBackend struct{ l *clickhouse.LoginSessions }

func (b sessionBackend) Put(r auth.SessionRecord) error { return b.l.Put(clickhouse.LoginSession(r)) }

func (b sessionBackend) Get(hash string) (auth.SessionRecord, bool, error) {
	r, ok, err := b.l.Get(hash)
	return auth.SessionRecord(r), ok, err
}

func (b sessionBackend) Delete(rs []auth.SessionRecord) error {
	out := make([]clickhouse.LoginSession, len(rs))
	for i, r := range rs {
		out[i] = clickhouse.LoginSession(r)
	}
	return b.l.Delete(out)
}

func (b sessionBackend) UserSessions(userID string) ([]auth.SessionRecord, error) {
	rs, err := b.l.UserSessions(userID)
	if err != nil {
		return nil, err
	}
	out := make([]auth.SessionRecord, len(rs))
	for i, r := range rs {
		out[i] = auth.SessionRecord(r)
	}
	return out, nil
}
