package duckdb

import (
	"context"
	"database/sql"
	"fmt"
)

// Backfills fill a column added to a table with rows, from the rows' other
// columns (materialised attributes from their maps, series fingerprints
// from the identity columns). They run in bounded batches of rowids, each
// its own transaction: one UPDATE of a whole table keeps every changed row
// in the transaction's undo buffers until it commits — the version-2
// migration did that and reached 5.8 GB RSS at 10M spans.

// backfillBatchRows is the rowid span of one backfill transaction.
var backfillBatchRows int64 = 1 << 19

// backfillTable records backfills in progress: each (table, column) until
// every row up to next_rowid is filled. A backfill interrupted by a crash
// resumes at the next Open from where its last batch committed.
const backfillTable = "overlook_backfill"

func backfillDDL() string {
	return "CREATE TABLE IF NOT EXISTS " + backfillTable +
		" (table_name VARCHAR NOT NULL, column_name VARCHAR NOT NULL, next_rowid BIGINT NOT NULL)"
}

// rowidEnd returns one past the largest rowid of table t (0 when empty).
func rowidEnd(ctx context.Context, db *sql.DB, t string) (int64, error) {
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(rowid) + 1, 0) FROM "+quoteIdent(t)).Scan(&n); err != nil {
		return 0, fmt.Errorf("rowids of %s: %w", t, err)
	}
	return n, nil
}

// batchedUpdate runs `UPDATE t [FROM from] SET set WHERE rowid in batch
// AND cond` over rowids [from, end) of table t in batches, one
// transaction each. after, if set, runs inside each batch's transaction
// with the next rowid (to record progress). It returns the rows changed.
func batchedUpdate(ctx context.Context, db *sql.DB, t, set, join, cond string, args []any,
	start, end int64, after func(tx *sql.Tx, next int64) error) (int64, error) {
	q := "UPDATE " + quoteIdent(t) + " SET " + set
	if join != "" {
		q += " FROM " + join
	}
	q += " WHERE "
	if cond != "" {
		q += "(" + cond + ") AND "
	}
	// The rowid range last: args bind the placeholders of set and cond.
	q += quoteIdent(t) + ".rowid >= ? AND " + quoteIdent(t) + ".rowid < ?"
	var total int64
	for lo := start; lo < end; lo += backfillBatchRows {
		hi := min(lo+backfillBatchRows, end)
		n, err := inTx(ctx, db, func(tx *sql.Tx) (int64, error) {
			res, err := tx.ExecContext(ctx, q, append(append([]any(nil), args...), lo, hi)...)
			if err != nil {
				return 0, err
			}
			if after != nil {
				if err := after(tx, hi); err != nil {
					return 0, err
				}
			}
			return res.RowsAffected()
		})
		if err != nil {
			return total, fmt.Errorf("fill %s rows %d–%d: %w", t, lo, hi, err)
		}
		total += n
	}
	return total, nil
}

// inTx runs fn in a transaction and commits it.
func inTx[T any](ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) (T, error)) (T, error) {
	var zero T
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return zero, err
	}
	defer func() { _ = tx.Rollback() }()
	v, err := fn(tx)
	if err != nil {
		return zero, err
	}
	if err := tx.Commit(); err != nil {
		return zero, err
	}
	return v, nil
}
