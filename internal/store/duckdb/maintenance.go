package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

// Background maintenance: one goroutine checkpoints the WAL and applies
// retention, never both at once (s.maint), so that its DELETEs and
// CHECKPOINTs do not conflict with each other.

// checkpointPoll is how often the WAL size is looked at.
const checkpointPoll = time.Second

// retentionStep bounds one DELETE transaction to this much time of data,
// so that a retention run after a long pause does not stall ingest with one
// huge transaction.
const retentionStep = 5 * time.Minute

func (s *Store) checkpointLoop() {
	defer s.bg.Done()
	t := time.NewTicker(checkpointPoll)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if s.checkpointDue() {
				if err := s.Checkpoint(); err != nil {
					err = s.noteError(err) // a full disk or an invalidated database
					s.log.Warn("background checkpoint failed", "err", err)
				}
			}
		}
	}
}

// checkpointDue reports whether the WAL is big enough, or non-empty and the
// writers idle for CheckpointIdle.
func (s *Store) checkpointDue() bool {
	fi, err := os.Stat(s.path + ".wal")
	if err != nil || fi.Size() == 0 {
		return false
	}
	if fi.Size() >= s.cfg.CheckpointWALBytes {
		return true
	}
	for _, w := range []*writer{s.logs, s.traces, s.metrics} {
		last, idle := w.idleSince()
		if !idle || time.Since(last) < s.cfg.CheckpointIdle {
			return false
		}
	}
	return true
}

// Checkpoint writes the WAL into the database file. Commits wait while it
// runs: DuckDB refuses a CHECKPOINT while another write transaction is open.
func (s *Store) Checkpoint() error {
	s.maint.Lock()
	defer s.maint.Unlock()
	s.gate.mu.Lock()
	defer s.gate.mu.Unlock()
	start := time.Now()
	var err error
	for attempt := range 5 {
		if _, err = s.db.Exec("CHECKPOINT"); err == nil {
			s.log.Debug("checkpoint", "took", time.Since(start))
			return nil
		}
		s.log.Debug("checkpoint attempt failed", "err", err)
		if !strings.Contains(err.Error(), "write transaction") {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	return fmt.Errorf("checkpoint: %w", err)
}

func (s *Store) retentionLoop() {
	defer s.bg.Done()
	t := time.NewTicker(s.cfg.RetentionInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if _, err := s.RunRetention(context.Background()); err != nil {
				s.log.Warn("retention failed", "err", err)
			}
		}
	}
}

// retentionTargets lists, per signal, the tables and the column their
// age is judged by. otel_traces_trace_id_ts goes by End, so that an entry
// outlives every span it points to.
func (s *Store) retentionTargets() []struct {
	keep   time.Duration
	table  *schema.Table
	column string
} {
	type target = struct {
		keep   time.Duration
		table  *schema.Table
		column string
	}
	r := s.cfg.Retention
	return []target{
		{r.Logs, &schema.Logs, "Timestamp"},
		{r.Traces, &schema.Traces, "Timestamp"},
		{r.Traces, &schema.TraceIDTs, "End"},
		{r.Metrics, &schema.MetricsGauge, "TimeUnix"},
		{r.Metrics, &schema.MetricsSum, "TimeUnix"},
		{r.Metrics, &schema.MetricsHistogram, "TimeUnix"},
		{r.Metrics, &schema.MetricsExpHistogram, "TimeUnix"},
		{r.Metrics, &schema.MetricsSummary, "TimeUnix"},
	}
}

// RunRetention deletes every row older than its signal's retention now,
// in transactions of at most retentionStep of data each, and returns how
// many rows it deleted. It runs on its own every RetentionInterval; calling
// it directly is for tests and admin tools.
func (s *Store) RunRetention(ctx context.Context) (int64, error) {
	s.maint.Lock()
	defer s.maint.Unlock()
	now := time.Now()
	total, err := s.partsRetention(ctx, now)
	if err != nil {
		return total, err
	}
	for _, tg := range s.retentionTargets() {
		if tg.keep <= 0 {
			continue
		}
		n, err := s.expire(ctx, tg.table.Name, tg.column, now.Add(-tg.keep))
		total += n
		if k := metricKindOf(tg.table.Name); k != 0 && (n > 0 || !s.cat.known(k)) {
			// Drop the deleted hours from the metric catalogue (or retry
			// a failed build).
			if cerr := s.rebuildCatalogue(ctx, k); cerr != nil {
				s.log.Warn("metric catalogue rebuild failed; metric lists read the tables", "err", cerr)
			}
		}
		if metricKindOf(tg.table.Name) != 0 && (n > 0 || err != nil) {
			// After the deletes committed (a failed run may have
			// committed some) and the catalogue followed: cached PromQL
			// results over them go.
			s.bumpRetention(now.Add(-tg.keep))
		}
		if n > 0 {
			s.log.Info("retention deleted rows", "table", tg.table.Name, "rows", n,
				"older_than", now.Add(-tg.keep).UTC().Format(time.RFC3339))
			for _, sp := range s.partTables() {
				if sp.table == tg.table && sp.legacy.Load() {
					if cerr := s.checkLegacy(ctx, sp); cerr != nil {
						s.log.Warn("retention: cannot tell whether the table is empty", "table", tg.table.Name, "err", cerr)
					}
				}
			}
		}
		if err != nil {
			return total, fmt.Errorf("retention %s: %w", tg.table.Name, err)
		}
	}
	if keep := s.cfg.Retention.Metrics; keep > 0 {
		n, err := s.expireMetricMetadata(ctx, now.Add(-max(keep, metadataMinKeep)))
		total += n
		if err != nil {
			return total, fmt.Errorf("retention %s: %w", metricMetadataTable, err)
		}
	}
	return total, nil
}

// expire deletes rows of table with column < cutoff, oldest first, one
// retentionStep per transaction. Gaps are skipped by looking up the next
// oldest row after each step.
func (s *Store) expire(ctx context.Context, table, column string, cutoff time.Time) (int64, error) {
	t, c := quoteIdent(table), quoteIdent(column)
	first := fmt.Sprintf("SELECT min(%s) FROM %s WHERE %s < ?", c, t, c)
	after := fmt.Sprintf("SELECT min(%s) FROM %s WHERE %s >= ? AND %s < ?", c, t, c, c)
	del := fmt.Sprintf("DELETE FROM %s WHERE %s < ?", t, c)
	var total int64
	var lo sql.NullTime
	err := s.db.QueryRowContext(ctx, first, cutoff).Scan(&lo)
	for err == nil && lo.Valid {
		select {
		case <-s.stop:
			return total, nil
		default:
		}
		hi := lo.Time.Add(retentionStep)
		if hi.After(cutoff) {
			hi = cutoff
		}
		res, derr := s.db.ExecContext(ctx, del, hi)
		if derr != nil {
			return total, derr
		}
		n, _ := res.RowsAffected()
		total += n
		err = s.db.QueryRowContext(ctx, after, hi, cutoff).Scan(&lo)
	}
	return total, err
}
