package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/parts"
)

// PartsDir is the folder of Config.Dir holding the parts, one subfolder
// per table (parts/otel_traces, parts/otel_logs).
const PartsDir = "parts"

// signalParts is one signal table kept as parts (LayoutParts).
type signalParts struct {
	table *schema.Table
	kind  parts.Kind
	mat   []schema.Materialized
	t     *parts.Table
	// ref finds a reference to the table in a statement: the bare or
	// quoted name, not a longer name it prefixes (otel_traces_trace_id_ts).
	ref *regexp.Regexp
	// legacy is set while the DuckDB table of the same name still holds
	// rows (written before the parts layout, or by LayoutDuckDB): reads
	// union them in until retention empties it.
	legacy atomic.Bool
}

// openParts opens the parts tables of traces and logs (LayoutParts).
func (s *Store) openParts(ctx context.Context) error {
	for _, g := range []struct {
		table *schema.Table
		kind  parts.Kind
		dst   **signalParts
	}{{&schema.Traces, parts.Traces, &s.partTraces}, {&schema.Logs, parts.Logs, &s.partLogs}} {
		mat := s.mat[g.table.Name]
		t, err := parts.Open(ctx, parts.Config{
			Dir:              filepath.Join(s.cfg.Dir, PartsDir, g.table.Name),
			Kind:             g.kind,
			Materialized:     mat,
			PartRows:         s.cfg.Parts.PartRows,
			FlushInterval:    s.cfg.Parts.FlushInterval,
			MergeRows:        s.cfg.Parts.MergeRows,
			MaxBufferedBytes: s.cfg.Parts.MaxBufferedBytes,
			Logger:           s.log.With("parts", g.table.Name),
		})
		if err != nil {
			return fmt.Errorf("open the parts of %s: %w", g.table.Name, err)
		}
		sp := &signalParts{table: g.table, kind: g.kind, mat: mat, t: t, ref: tableRef(g.table.Name)}
		*g.dst = sp
		if err := s.checkLegacy(ctx, sp); err != nil {
			return err
		}
	}
	return nil
}

// tableRef matches a reference to table in a statement: its bare or
// quoted name, not a longer name it prefixes (otel_traces_trace_id_ts).
func tableRef(table string) *regexp.Regexp {
	return regexp.MustCompile(`(^|[^A-Za-z0-9_"])"?` + regexp.QuoteMeta(table) + `"?([^A-Za-z0-9_]|$)`)
}

// checkLegacy sets sp.legacy from whether its DuckDB table holds rows.
func (s *Store) checkLegacy(ctx context.Context, sp *signalParts) error {
	var one sql.NullInt64
	err := s.db.QueryRowContext(ctx, "SELECT 1 FROM main."+quoteIdent(sp.table.Name)+" LIMIT 1").Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		sp.legacy.Store(false)
	case err != nil:
		return fmt.Errorf("look for rows of %s in the database: %w", sp.table.Name, err)
	default:
		sp.legacy.Store(true)
	}
	return nil
}

// partsOf is the parts table of t, nil if t is not kept as parts.
func (s *Store) partsOf(t *schema.Table) *signalParts {
	for _, sp := range s.partTables() {
		if sp.table.Name == t.Name {
			return sp
		}
	}
	return nil
}

// partTables lists the parts tables (none with LayoutDuckDB).
func (s *Store) partTables() []*signalParts {
	var out []*signalParts
	for _, sp := range []*signalParts{s.partTraces, s.partLogs, s.partSessions} {
		if sp != nil {
			out = append(out, sp)
		}
	}
	return out
}

// cte is the body of the common table expression that stands for sp's
// table in a statement: the parts in files, and the DuckDB table's rows
// while it has some.
func (sp *signalParts) cte(files []string) string {
	body := parts.ViewSQL(sp.kind, sp.mat, files)
	if sp.legacy.Load() {
		body += " UNION ALL BY NAME SELECT * FROM main." + quoteIdent(sp.table.Name)
	}
	return quoteIdent(sp.table.Name) + " AS NOT MATERIALIZED (" + body + ")"
}

// withCTEs prefixes q with ctes, merging them into q's own WITH clause.
func withCTEs(q string, ctes []string) string {
	if len(ctes) == 0 {
		return q
	}
	head := "WITH " + strings.Join(ctes, ", ")
	trimmed := strings.TrimLeft(q, " \t\n")
	if len(trimmed) > 5 && strings.EqualFold(trimmed[:5], "WITH ") {
		rest := strings.TrimLeft(trimmed[5:], " \t\n")
		if len(rest) > 10 && strings.EqualFold(rest[:10], "RECURSIVE ") {
			// Our statements never recurse; keep RECURSIVE in front.
			return "WITH RECURSIVE " + strings.Join(ctes, ", ") + ", " + rest[10:]
		}
		return head + ", " + rest
	}
	return head + " " + q
}

// partsReadSQL is readSQL for LayoutParts: every parts table q reads is
// replaced, for q only, by its parts overlapping [start, end] (leased
// until release) and its DuckDB table's rows.
func (s *Store) partsReadSQL(ctx context.Context, q string, start, end time.Time) (string, func(), error) {
	var ctes []string
	var snaps []*parts.Snapshot
	release := func() {
		for _, sn := range snaps {
			sn.Release()
		}
	}
	for _, sp := range s.partTables() {
		if !sp.ref.MatchString(q) {
			continue
		}
		lo, hi := start, end
		if !lo.IsZero() {
			lo = clampTime(lo)
		}
		if !hi.IsZero() {
			hi = clampTime(hi)
		}
		sn, err := sp.t.Snapshot(ctx, lo, hi)
		if err != nil {
			release()
			return "", nil, fmt.Errorf("read the parts of %s: %w", sp.table.Name, err)
		}
		snaps = append(snaps, sn)
		ctes = append(ctes, sp.cte(sn.Files))
	}
	return withCTEs(q, ctes), release, nil
}

// traceRows runs q, a read of sp's table for the rows of one trace
// (TraceId = ? its first argument), over the parts that may hold the
// trace (their TraceId bloom filters), without the DuckDB table's rows.
func (s *Store) traceRows(ctx context.Context, sp *signalParts, q, traceID string, args ...any) ([]store.Row, error) {
	sn, err := sp.t.SnapshotTrace(ctx, traceID)
	if err != nil {
		return nil, fmt.Errorf("read the parts of %s: %w", sp.table.Name, err)
	}
	defer sn.Release()
	q = withCTEs(q, []string{quoteIdent(sp.table.Name) + " AS NOT MATERIALIZED (" +
		parts.ViewSQLTrace(sp.kind, sp.mat, sn.Files, traceID) + ")"})
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanRows(rs, sp.table)
}

// partsRetention drops whole parts older than each signal's retention.
func (s *Store) partsRetention(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, g := range []struct {
		sp   *signalParts
		keep time.Duration
	}{{s.partTraces, s.cfg.Retention.Traces}, {s.partLogs, s.cfg.Retention.Logs},
		{s.partSessions, s.cfg.Retention.Sessions}} {
		if g.sp == nil || g.keep <= 0 {
			continue
		}
		n, err := g.sp.t.DropBefore(ctx, now.Add(-g.keep))
		total += n
		if n > 0 {
			s.log.Info("retention dropped parts", "table", g.sp.table.Name, "rows", n,
				"older_than", now.Add(-g.keep).UTC().Format(time.RFC3339))
		}
		if err != nil {
			return total, fmt.Errorf("retention %s: %w", g.sp.table.Name, err)
		}
	}
	return total, nil
}

// partsStats adds the parts' disk bytes.
func (s *Store) partsDiskBytes() int64 {
	var n int64
	for _, sp := range s.partTables() {
		n += sp.t.Stats().DiskBytes
	}
	return n
}

// closeParts closes the parts tables: their heads become parts.
func (s *Store) closeParts() error {
	var errs []error
	for _, sp := range s.partTables() {
		if err := sp.t.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the parts of %s: %w", sp.table.Name, err))
		}
	}
	return errors.Join(errs...)
}
