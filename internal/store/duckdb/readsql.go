package duckdb

import (
	"context"
	"time"
)

// readSQL returns q, a read of otel_traces and/or otel_logs (and possibly
// other tables), ready to run over the storage those tables have, and a
// release to call once its rows are read. start and end bound the rows q
// can return by the tables' time column (zero: unbounded); they only
// narrow what storage is opened, never the rows: q's own WHERE does that.
// Every read of a signal table goes through here.
func (s *Store) readSQL(ctx context.Context, q string, start, end time.Time) (string, func(), error) {
	if s.partTraces != nil || s.partSessions != nil {
		return s.partsReadSQL(ctx, q, start, end)
	}
	return q, func() {}, nil
}
