package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// authSessionsTable holds the browser login sessions every overlook
// process on the database shares (internal/auth's SessionBackend): per
// session only the SHA-256 of the cookie's value, the user's ID and the
// creation and expiry times — never the cookie's value. A logout writes
// the same row again with Deleted = 1; the ReplacingMergeTree's version
// is Deleted itself, so a deletion always wins over the login (no clock
// is compared), and reads treat a hash with any deleted row as gone. The
// TTL drops rows once the session expired.
const authSessionsTable = "overlook_sessions"

// authSessionsDDL creates authSessionsTable (replicated, not distributed,
// on a cluster: any node answers).
func authSessionsDDL(c Config) string {
	engine := "ReplacingMergeTree(Deleted)"
	on := ""
	if c.Cluster != "" {
		on = " ON CLUSTER " + ident(c.Cluster)
		engine = "ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/" + authSessionsTable + "', '{replica}', Deleted)"
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s (\n    `Hash` String,\n    `UserID` String,\n    `Created` DateTime64(3),\n    `Expires` DateTime64(3),\n    `Deleted` UInt8\n) ENGINE = %s\nORDER BY Hash\nTTL toDateTime(Expires)",
		ident(c.database()), ident(authSessionsTable), on, engine)
}

// LoginSession is one row of overlook_sessions (internal/auth's
// SessionRecord).
type LoginSession struct {
	Hash, UserID     string
	Created, Expires time.Time
}

// LoginSessions returns the shared login sessions table, or nil when this
// store cannot share one (read_only: sessions stay in each process's
// <data>/auth, or the table is missing).
func (s *Store) LoginSessions() *LoginSessions {
	if s.cfg.ReadOnly || !s.present[authSessionsTable] {
		return nil
	}
	return &LoginSessions{s: s}
}

// LoginSessions reads and writes overlook_sessions.
type LoginSessions struct{ s *Store }

func (l *LoginSessions) table() string { return ident(l.s.db) + "." + ident(authSessionsTable) }

// Put stores a new session, returning once ClickHouse wrote it.
func (l *LoginSessions) Put(r LoginSession) error {
	return l.write([]LoginSession{r}, 0)
}

// Delete marks sessions deleted (for every process reading the table).
func (l *LoginSessions) Delete(rs []LoginSession) error {
	if len(rs) == 0 {
		return nil
	}
	return l.write(rs, 1)
}

func (l *LoginSessions) write(rs []LoginSession, deleted uint8) error {
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (Hash, UserID, Created, Expires, Deleted) VALUES ", l.table())
	args := make([]any, 0, 5*len(rs))
	for i, r := range rs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, str(r.Hash), str(r.UserID), clamp(r.Created), clamp(r.Expires), deleted)
	}
	q, args := bindTimes(b.String(), args)
	if err := l.s.conn.Exec(ctx, q, args...); err != nil {
		what := "save a login session in"
		if deleted == 1 {
			what = "end login sessions in"
		}
		return readErr(fmt.Errorf("%s %s: %w", what, authSessionsTable, err))
	}
	return nil
}

// Get returns the session of hash; found is false when there is none or
// it was deleted.
func (l *LoginSessions) Get(hash string) (LoginSession, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	q := fmt.Sprintf("SELECT any(UserID), min(Created), min(Expires), max(Deleted) FROM %s WHERE Hash = ? GROUP BY Hash", l.table())
	var out LoginSession
	found := false
	err := l.s.scan(ctx, q, []any{hash}, func(_ []string, v []any) error {
		out = LoginSession{Hash: hash, UserID: v[0].(string), Created: v[1].(time.Time).UTC(), Expires: v[2].(time.Time).UTC()}
		found = v[3].(uint8) == 0
		return nil
	})
	if err != nil {
		return LoginSession{}, false, readErr(fmt.Errorf("read a login session from %s: %w", authSessionsTable, err))
	}
	return out, found, nil
}

// UserSessions returns the sessions of userID that are not deleted
// (expired ones not yet dropped by the TTL included).
func (l *LoginSessions) UserSessions(userID string) ([]LoginSession, error) {
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	q := fmt.Sprintf("SELECT Hash, any(UserID), min(Created), min(Expires) FROM %s WHERE UserID = ? GROUP BY Hash HAVING max(Deleted) = 0", l.table())
	var out []LoginSession
	err := l.s.scan(ctx, q, []any{userID}, func(_ []string, v []any) error {
		out = append(out, LoginSession{Hash: v[0].(string), UserID: v[1].(string), Created: v[2].(time.Time).UTC(), Expires: v[3].(time.Time).UTC()})
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("read the login sessions of a user from %s: %w", authSessionsTable, err))
	}
	return out, nil
}
