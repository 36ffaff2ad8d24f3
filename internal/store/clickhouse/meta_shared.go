package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/meta"
)

// Metadata every overlook process on the database shares, beside the
// dashboards document (meta.go): sets of documents by key in the same
// overlook_meta table (alerts: one document per alert under
// "<prefix><id>", a deletion an empty document), and the audit log in
// overlook_audit.

// metaTimeout bounds each metadata read or write.
const metaTimeout = 10 * time.Second

// MetaSet returns the shared set of documents under prefix (e.g.
// "alerts/"), or nil when this store cannot share one (read_only, or the
// table is missing).
func (s *Store) MetaSet(prefix string) meta.SharedSet {
	if s.cfg.ReadOnly || !s.metaReady {
		return nil
	}
	return &metaSet{s: s, prefix: prefix}
}

type metaSet struct {
	s      *Store
	prefix string
}

var _ meta.SharedSet = (*metaSet)(nil)

func (m *metaSet) LoadAll() (map[string][]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	q := fmt.Sprintf(`SELECT Key, argMax(Doc, Version) AS d FROM %s.%s WHERE startsWith(Key, ?) GROUP BY Key HAVING d != ''`,
		ident(m.s.db), ident(metaTable))
	out := map[string][]byte{}
	err := m.s.scan(ctx, q, []any{m.prefix}, func(_ []string, v []any) error {
		out[strings.TrimPrefix(v[0].(string), m.prefix)] = []byte(v[1].(string))
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("load %s* from ClickHouse: %w", m.prefix, err))
	}
	return out, nil
}

func (m *metaSet) Put(key string, raw []byte) error {
	if len(raw) == 0 {
		return fmt.Errorf("BUG: empty shared document %s%s", m.prefix, key)
	}
	return m.write(key, string(raw))
}

func (m *metaSet) Delete(key string) error { return m.write(key, "") }

func (m *metaSet) write(key, doc string) error {
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	q := fmt.Sprintf("INSERT INTO %s.%s (Key, Version, Doc) VALUES (?, ?, ?)", ident(m.s.db), ident(metaTable))
	if err := m.s.conn.Exec(ctx, q, m.prefix+key, uint64(time.Now().UnixNano()), doc); err != nil {
		return readErr(fmt.Errorf("save %s%s in ClickHouse: %w", m.prefix, key, err))
	}
	return nil
}

// auditTable is the audit log every process appends to.
const auditTable = "overlook_audit"

// auditDDL creates auditTable (replicated, not distributed, on a cluster).
func auditDDL(c Config) string {
	engine := "MergeTree"
	on := ""
	if c.Cluster != "" {
		on = " ON CLUSTER " + ident(c.Cluster)
		engine = "ReplicatedMergeTree('/clickhouse/tables/{database}/" + auditTable + "', '{replica}')"
	}
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s%s (\n    `Time` DateTime64(9),\n    `Actor` String,\n    `Action` LowCardinality(String),\n    `Target` String,\n    `Outcome` LowCardinality(String),\n    `IP` String\n) ENGINE = %s\nORDER BY Time",
		ident(c.database()), ident(auditTable), on, engine)
}

// AuditRecord is one audit event (internal/auth's Event).
type AuditRecord struct {
	Time                               time.Time
	Actor, Action, Target, Outcome, IP string
}

// AuditLog is the shared audit log, or nil when this store cannot keep
// one (read_only, or the table is missing).
func (s *Store) AuditLog() *AuditLog {
	if s.cfg.ReadOnly || !s.present[auditTable] {
		return nil
	}
	return &AuditLog{s: s}
}

// AuditLog appends to and reads overlook_audit.
type AuditLog struct{ s *Store }

// Append stores rec, returning once ClickHouse wrote it.
func (a *AuditLog) Append(rec AuditRecord) error {
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	q := fmt.Sprintf("INSERT INTO %s.%s (Time, Actor, Action, Target, Outcome, IP) VALUES (?, ?, ?, ?, ?, ?)", ident(a.s.db), ident(auditTable))
	q, args := bindTimes(q, []any{clamp(rec.Time), str(rec.Actor), str(rec.Action), str(rec.Target), str(rec.Outcome), str(rec.IP)})
	if err := a.s.conn.Exec(ctx, q, args...); err != nil {
		return readErr(fmt.Errorf("append to %s: %w", auditTable, err))
	}
	return nil
}

// Read returns up to limit records, newest first.
func (a *AuditLog) Read(limit int) ([]AuditRecord, error) {
	ctx, cancel := context.WithTimeout(context.Background(), metaTimeout)
	defer cancel()
	q := fmt.Sprintf("SELECT Time, Actor, Action, Target, Outcome, IP FROM %s.%s ORDER BY Time DESC LIMIT %d", ident(a.s.db), ident(auditTable), max(limit, 0))
	out := []AuditRecord{}
	err := a.s.scan(ctx, q, nil, func(_ []string, v []any) error {
		out = append(out, AuditRecord{Time: v[0].(time.Time).UTC(), Actor: v[1].(string), Action: v[2].(string),
			Target: v[3].(string), Outcome: v[4].(string), IP: v[5].(string)})
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("read %s: %w", auditTable, err))
	}
	return out, nil
}
