// Package clickhouse is the scale-out store: the OpenTelemetry ClickHouse
// exporter's tables in a ClickHouse server or cluster, written and read
// through ClickHouse's official Go client (clickhouse-go v2). Several
// overlook processes may share one database. Reads use the query package's
// ClickHouse dialect, values always bound. docs/scale-out.md.
package clickhouse

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// Store is a ClickHouse database of the exporter's schema.
type Store struct {
	cfg     Config
	conn    driver.Conn
	log     *slog.Logger
	db      string
	names   map[string]string // schema table → table in the database
	renamed map[string]string // the names that differ (renameTables)
	columns map[string]map[string]bool
	dialect query.Dialect
	mat     schema.MaterializedSet // the materialised columns the tables have
	closed  atomic.Bool
	// metaReady is set when the shared metadata table exists.
	metaReady bool
	// present holds the names of every table of the database.
	present map[string]bool
	// lastErr is the last insert failure that made the store unavailable
	// (nil once an insert succeeds again).
	lastErr atomic.Pointer[error]

	probeMu   sync.Mutex
	lastProbe time.Time
	statsAt   time.Time
	diskBytes int64
}

var (
	_ store.Store          = (*Store)(nil)
	_ store.HealthReporter = (*Store)(nil)
)

// Open connects, checks that the server answers with these credentials
// and that the database exists, creates the tables when the config says
// so, and reads which columns the tables have (a database another writer
// created may lack overlook's columns; reads then return zero values for
// them). Every failure says which config key to fix.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*Store, error) {
	if err := errors.Join(cfg.RequireEndpoint(), cfg.Validate()); err != nil {
		return nil, err
	}
	addr, useHTTP, _ := cfg.address()
	pw, err := cfg.password()
	if err != nil {
		return nil, err
	}
	user := cfg.Username
	if user == "" {
		user = "default"
	}
	opts := &ch.Options{
		Addr:        []string{addr},
		Auth:        ch.Auth{Database: cfg.database(), Username: user, Password: pw},
		DialTimeout: cfg.DialTimeout,
		Protocol:    ch.Native,
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 10 * time.Second
	}
	if useHTTP {
		opts.Protocol = ch.HTTP
	}
	if strings.HasPrefix(cfg.Endpoint, "https://") || cfg.TLS.Enabled {
		opts.TLS = &tls.Config{InsecureSkipVerify: cfg.TLS.InsecureSkipVerify} //nolint:gosec // opt-in, documented
	}
	s := &Store{cfg: cfg, log: log, db: cfg.database(), names: cfg.Tables.names(), dialect: query.ClickHouse}
	s.renamed = renames(s.names)
	pctx, cancel := context.WithTimeout(ctx, opts.DialTimeout+5*time.Second)
	defer cancel()
	conn, err := ch.Open(opts)
	if err == nil {
		err = conn.Ping(pctx)
	}
	if err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		return nil, explainOpen(cfg, addr, err)
	}
	s.conn = conn
	if cfg.createSchema() {
		for _, stmt := range DDL(cfg) {
			if err := conn.Exec(pctx, stmt); err != nil {
				_ = conn.Close()
				return nil, fmt.Errorf("create the tables in ClickHouse database %q (storage::clickhouse::create_schema; set it to false, or read_only: true, to use existing tables): %w", s.db, err)
			}
		}
		if err := conn.Exec(pctx, metaDDL(cfg)); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("create the shared metadata table %s in ClickHouse database %q: %w", metaTable, s.db, err)
		}
		if err := conn.Exec(pctx, auditDDL(cfg)); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("create the audit log table %s in ClickHouse database %q: %w", auditTable, s.db, err)
		}
		if err := conn.Exec(pctx, authSessionsDDL(cfg)); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("create the login sessions table %s in ClickHouse database %q: %w", authSessionsTable, s.db, err)
		}
		if err := conn.Exec(pctx, metricMetadataDDL(cfg)); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("create the metric metadata table %s in ClickHouse database %q: %w", metricMetadataTable, s.db, err)
		}
	}
	if err := s.loadColumns(pctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	if cfg.createSchema() {
		want, err := cfg.materializedSet()
		if err == nil {
			err = s.ensureMaterialized(pctx, want)
		}
		if err == nil {
			err = s.loadColumns(pctx)
		}
		if err != nil {
			_ = conn.Close()
			return nil, err
		}
	}
	s.useMaterialized()
	return s, nil
}

// explainOpen turns a connect failure into a message naming the cause
// and the config key to fix.
func explainOpen(cfg Config, addr string, err error) error {
	var ex *ch.Exception
	var ne net.Error
	switch {
	case errors.As(err, &ex) && (ex.Code == 516 || ex.Code == 192 || ex.Code == 193 || ex.Code == 194):
		return fmt.Errorf("ClickHouse at %s refused the credentials of user %q: check storage::clickhouse::username and password (or password_file): %w", addr, cfg.Username, err)
	case errors.As(err, &ex) && ex.Code == 81:
		return fmt.Errorf("ClickHouse at %s has no database %q: create it (CREATE DATABASE %s) or fix storage::clickhouse::database: %w", addr, cfg.database(), cfg.database(), err)
	case errors.As(err, &ne), strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "no such host"):
		return fmt.Errorf("cannot reach ClickHouse at %s: check storage::clickhouse::endpoint and that the server is up: %w", addr, err)
	case strings.Contains(err.Error(), "516") || strings.Contains(strings.ToLower(err.Error()), "authentication"):
		return fmt.Errorf("ClickHouse at %s refused the credentials of user %q: check storage::clickhouse::username and password (or password_file): %w", addr, cfg.Username, err)
	case strings.Contains(err.Error(), "UNKNOWN_DATABASE") || strings.Contains(err.Error(), "Code: 81"):
		return fmt.Errorf("ClickHouse at %s has no database %q: create it or fix storage::clickhouse::database: %w", addr, cfg.database(), err)
	}
	return fmt.Errorf("connect to ClickHouse at %s (storage::clickhouse::endpoint): %w", addr, err)
}

// loadColumns reads the columns of every table; a missing table is an
// error naming it (create_schema: true creates it).
func (s *Store) loadColumns(ctx context.Context) error {
	rows, err := s.conn.Query(ctx, "SELECT table, name FROM system.columns WHERE database = ?", s.db)
	if err != nil {
		return fmt.Errorf("list the columns of ClickHouse database %q: %w", s.db, err)
	}
	defer rows.Close()
	cols := map[string]map[string]bool{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return fmt.Errorf("list the columns of ClickHouse database %q: %w", s.db, err)
		}
		if cols[t] == nil {
			cols[t] = map[string]bool{}
		}
		if t == metaTable {
			s.metaReady = true
		}
		cols[t][c] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list the columns of ClickHouse database %q: %w", s.db, err)
	}
	s.columns = map[string]map[string]bool{}
	s.present = map[string]bool{}
	for t := range cols {
		s.present[t] = true
	}
	var missing []string
	for _, t := range ddlTables() {
		name := s.names[t.Name]
		if cols[name] == nil {
			missing = append(missing, name)
			continue
		}
		s.columns[t.Name] = cols[name]
	}
	if len(missing) > 0 {
		s.log.Warn("ClickHouse tables missing: their signal is neither stored nor read",
			"database", s.db, "tables", missing, "fix", "storage::clickhouse::create_schema: true, or storage::clickhouse::tables")
	}
	return nil
}

// has reports whether schema table t has column c in the database.
func (s *Store) has(t, c string) bool { return s.columns[t][c] }

// table returns the quoted database-qualified name of schema table t.
func (s *Store) table(t string) string { return ident(s.db) + "." + ident(s.names[t]) }

// healthProbeEvery is how often an unhealthy store pings ClickHouse to
// find out it is back (an idle instance gets no inserts that would tell).
const healthProbeEvery = 2 * time.Second

// Health implements store.HealthReporter: unavailable while inserts fail
// for a reason of the server's, until an insert succeeds or a ping (at
// most every healthProbeEvery) answers.
func (s *Store) Health() error {
	p := s.lastErr.Load()
	if p == nil {
		return nil
	}
	s.probeMu.Lock()
	defer s.probeMu.Unlock()
	if time.Since(s.lastProbe) >= healthProbeEvery {
		s.lastProbe = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), healthProbeEvery)
		err := s.conn.Ping(ctx)
		cancel()
		if err == nil {
			s.lastErr.CompareAndSwap(p, nil)
			return nil
		}
	}
	return fmt.Errorf("%w: ClickHouse inserts fail: %w", store.ErrUnavailable, *p)
}

// statsEvery is how long the size of the database is cached: /metrics
// asks on every scrape.
const statsEvery = 30 * time.Second

// Stats reports the bytes of the database's active parts (cached for
// statsEvery).
func (s *Store) Stats() store.Stats {
	st := store.Stats{Unhealthy: s.Health()}
	s.probeMu.Lock()
	defer s.probeMu.Unlock()
	if time.Since(s.statsAt) >= statsEvery {
		s.statsAt = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var b uint64
		if err := s.conn.QueryRow(ctx, "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = ? AND active", s.db).Scan(&b); err == nil {
			s.diskBytes = int64(b)
		}
	}
	st.DiskBytes = s.diskBytes
	return st
}

// Close closes the connections.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	if err := s.conn.Close(); err != nil {
		return fmt.Errorf("close ClickHouse connections: %w", err)
	}
	return nil
}
