package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/overlook-dev/overlook/internal/store"
)

// ErrReadOnly is returned by inserts of a read_only store.
var ErrReadOnly = errors.New("the ClickHouse store is read_only (storage::clickhouse::read_only): exports are not stored")

// insert sends r's rows as one batch (one INSERT): the columns the
// database's table has, in schema order; columns it lacks (a table created
// by another writer without overlook's extra columns) are not written.
// It returns once ClickHouse has written the rows (with async_insert, once
// the server's buffer holding them is flushed: wait_for_async_insert=1).
// Failures of the server or the network wrap store.ErrUnavailable
// (retryable); nothing is acknowledged that was not written.
func (s *Store) insert(ctx context.Context, r *tableRows) error {
	if len(r.rows) == 0 {
		return nil
	}
	if s.closed.Load() {
		return store.ErrClosed
	}
	if s.cfg.ReadOnly {
		return fmt.Errorf("%w: %w", store.ErrInvalidArgument, ErrReadOnly)
	}
	have := s.columns[r.table.Name]
	if have == nil {
		return fmt.Errorf("%w: table %s is missing in ClickHouse database %q (storage::clickhouse::create_schema)", store.ErrUnavailable, s.names[r.table.Name], s.db)
	}
	var keep []int
	var names []string
	for i, c := range r.cols {
		if have[c] {
			keep = append(keep, i)
			names = append(names, ident(c))
		}
	}
	if s.cfg.AsyncInsert {
		ctx = ch.Context(ctx, ch.WithSettings(ch.Settings{"async_insert": 1, "wait_for_async_insert": 1}))
	}
	q := fmt.Sprintf("INSERT INTO %s (%s)", s.table(r.table.Name), strings.Join(names, ", "))
	b, err := s.conn.PrepareBatch(ctx, q)
	if err != nil {
		return s.insertErr(r, err)
	}
	row := make([]any, len(keep))
	for _, full := range r.rows {
		for j, i := range keep {
			row[j] = full[i]
		}
		if err := b.Append(row...); err != nil {
			_ = b.Abort()
			return fmt.Errorf("insert into %s: %w", r.table.Name, err)
		}
	}
	if err := b.Send(); err != nil {
		return s.insertErr(r, err)
	}
	s.lastErr.Store(nil)
	return nil
}

// insertErr classifies a failed insert: the server's or network's
// failures are retryable (store.ErrUnavailable) and make Health report
// them until an insert succeeds.
func (s *Store) insertErr(r *tableRows, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("insert into %s: %w", r.table.Name, err)
	}
	var ex *ch.Exception
	if errors.As(err, &ex) && clientMistake(ex.Code) {
		return fmt.Errorf("insert into %s: %w", r.table.Name, err)
	}
	wrapped := fmt.Errorf("%w: insert into ClickHouse table %s: %w", store.ErrUnavailable, s.names[r.table.Name], err)
	s.lastErr.Store(&err)
	return wrapped
}

// clientMistake tells the exception codes that retrying cannot fix (type
// and schema mismatches); everything else — the server down, overloaded,
// out of memory, too many parts — is worth retrying.
func clientMistake(code int32) bool {
	switch code {
	case 16, 27, 33, 47, 53, 62, 70, 117:
		return true
	}
	return false
}
