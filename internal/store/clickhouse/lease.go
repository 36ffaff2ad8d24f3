package clickhouse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/overlook-dev/overlook/internal/meta"
)

// A lease elects one of the processes sharing the database for a task
// (evaluating the alerts): the document "lease/<name>" of overlook_meta
// holds "<holder> <until ns>". A process takes the lease when it is free
// or expired, renews it while it holds it, and holds it when the newest
// document (argMax by Version, the same answer for every reader) names
// it: two processes taking it at once both write, then both read the same
// winner. The answer is cached for a third of the lease's time.

// DefaultLeaseTTL is how long a lease outlives its holder's last renewal:
// a stopped evaluator is replaced within it.
const DefaultLeaseTTL = 30 * time.Second

// Lease returns the lease name for this process, or nil when this store
// cannot share one (read_only, or the metadata table is missing).
func (s *Store) Lease(name string, ttl time.Duration) meta.Lease {
	if s.cfg.ReadOnly || !s.metaReady {
		return nil
	}
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	host, _ := os.Hostname()
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &lease{s: s, key: "lease/" + name, ttl: ttl, now: time.Now,
		holder: strings.ReplaceAll(host, " ", "_") + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b[:])}
}

type lease struct {
	s      *Store
	key    string
	holder string
	ttl    time.Duration
	now    func() time.Time

	mu      sync.Mutex
	checked time.Time
	held    bool
}

var _ meta.Lease = (*lease)(nil)

// Held reports whether this process holds the lease, taking or renewing
// it as needed; false when ClickHouse cannot be asked.
func (l *lease) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.checked.IsZero() && now.Sub(l.checked) < l.ttl/3 {
		return l.held
	}
	l.checked = now
	l.held = false
	holder, until, err := l.read()
	if err != nil {
		l.s.log.Warn("read the lease", "lease", l.key, "err", err)
		return false
	}
	if holder != "" && holder != l.holder && now.Before(until) {
		return false
	}
	if err := l.s.MetaSet("").Put(l.key, []byte(l.holder+" "+strconv.FormatInt(now.Add(l.ttl).UnixNano(), 10))); err != nil {
		l.s.log.Warn("take the lease", "lease", l.key, "err", err)
		return false
	}
	if holder, _, err = l.read(); err != nil {
		return false
	}
	l.held = holder == l.holder
	return l.held
}

// read returns the newest holder and its expiry.
func (l *lease) read() (string, time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	var doc string
	q := fmt.Sprintf("SELECT argMax(Doc, Version) FROM %s.%s WHERE Key = ?", ident(l.s.db), ident(metaTable))
	err := l.s.scan(ctx, q, []any{l.key}, func(_ []string, v []any) error {
		doc = v[0].(string)
		return nil
	})
	if err != nil {
		return "", time.Time{}, readErr(err)
	}
	holder, ns, ok := strings.Cut(doc, " ")
	if !ok {
		return "", time.Time{}, nil
	}
	n, err := strconv.ParseInt(ns, 10, 64)
	if err != nil {
		return "", time.Time{}, nil
	}
	return holder, time.Unix(0, n), nil
}
