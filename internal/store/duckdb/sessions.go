package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/parts"
)

var (
	_ store.SessionInserter = (*Store)(nil)
	_ store.SessionReader   = (*Store)(nil)
)

// sessionMat are the attributes a recording read filters and orders by,
// as view columns (values[list_position(keys, key)] over the stored
// lists, not stored themselves): reading them through the Map columns
// builds a DuckDB MAP per row, 3–5× slower over a long session.
var sessionMat = []schema.Materialized{
	{Map: "ResourceAttributes", Key: store.SessionAttr},
	{Map: "LogAttributes", Key: "rr-web.event"},
	{Map: "LogAttributes", Key: "rr-web.chunk"},
	{Map: "LogAttributes", Key: "rr-web.total-chunks"},
}

// matCol is the view column of the i-th of sessionMat, quoted.
func matCol(i int) string { return quoteIdent(sessionMat[i].Column()) }

// openSessions opens hyperdx_sessions, kept as parts with either layout:
// recordings are write-once blobs read by one session at a time, which
// parts (zstd, sorted by service and time, dropped whole by retention)
// suit, and the DuckDB-table layout has no reason to differ. Recording
// records have no materialised columns.
func (s *Store) openSessions(ctx context.Context) error {
	t, err := parts.Open(ctx, parts.Config{
		Dir:              filepath.Join(s.cfg.Dir, PartsDir, schema.Sessions.Name),
		Kind:             parts.Logs,
		Materialized:     sessionMat,
		PartRows:         s.cfg.Parts.PartRows,
		FlushInterval:    s.cfg.Parts.FlushInterval,
		MergeRows:        s.cfg.Parts.MergeRows,
		MaxBufferedBytes: s.cfg.Parts.MaxBufferedBytes,
		Logger:           s.log.With("parts", schema.Sessions.Name),
	})
	if err != nil {
		return fmt.Errorf("open the parts of %s: %w", schema.Sessions.Name, err)
	}
	s.partSessions = &signalParts{table: &schema.Sessions, kind: parts.Logs, mat: sessionMat, t: t, ref: tableRef(schema.Sessions.Name)}
	return nil
}

// InsertSessions stores every log record of ld in hyperdx_sessions; see
// store.SessionInserter.
func (s *Store) InsertSessions(ctx context.Context, ld plog.Logs) error {
	if err := s.admit(); err != nil {
		return fmt.Errorf("insert sessions: %w", err)
	}
	if err := s.partSessions.t.InsertLogs(ctx, ld); err != nil {
		return fmt.Errorf("insert sessions: %w", s.noteError(err))
	}
	return nil
}

// sessionExpr reads a row's session ID: the SDK puts it on the resource.
const sessionExpr = "ResourceAttributes['" + store.SessionAttr + "']"

// Sessions lists sessions, newest first: the session IDs whose RUM spans
// or log records match p.Filter, then one summary per session over all of
// its spans in the range. A filter that names fields only one source has
// (SpanAttributes.userEmail) runs over that source alone.
func (s *Store) Sessions(ctx context.Context, p store.SessionsParams) ([]store.SessionSummary, error) {
	if err := store.CheckSessionRange(p.Start, p.End); err != nil {
		return nil, err
	}
	limit := p.SessionsLimit()
	start, end := clampTime(p.Start), clampTime(p.End)
	var (
		subs []string
		args []any
	)
	var compileErr error
	for _, src := range []*schema.Source{&schema.TracesSource, &schema.LogsSource} {
		where, a, err := store.AndFilter("Timestamp >= ? AND Timestamp < ? AND "+sessionExpr+" <> ''",
			[]any{start, end}, p.Filter, src, s.compileFilter)
		if err != nil {
			compileErr = err
			continue
		}
		subs = append(subs, fmt.Sprintf("SELECT %s AS sid, max(Timestamp) AS last FROM %s WHERE %s GROUP BY 1",
			sessionExpr, quoteIdent(src.Table.Name), where))
		args = append(args, a...)
	}
	if len(subs) == 0 {
		return nil, fmt.Errorf("sessions: %w", compileErr)
	}
	q := fmt.Sprintf(`WITH cand AS (
  SELECT sid, max(last) AS last FROM (%s) GROUP BY sid ORDER BY last DESC LIMIT %d
)
SELECT t.sid,
  min(t.Timestamp), max(t.Timestamp + to_microseconds(CAST(t.Duration / 1000 AS BIGINT))),
  max(t.SpanAttributes['userEmail']), max(t.SpanAttributes['userName']),
  count(*) FILTER (WHERE t.StatusCode = 'Error' OR t.SpanAttributes['component'] = 'error'
    OR (t.SpanAttributes['component'] = 'console' AND t.SpanAttributes['level'] = 'error')
    OR TRY_CAST(t.SpanAttributes['http.status_code'] AS INTEGER) >= 400),
  count(*) FILTER (WHERE t.SpanAttributes['component'] IN ('fetch', 'xml-http-request')),
  count(*) FILTER (WHERE t.SpanName IN ('documentLoad', 'routeChange')),
  any_value(t.ServiceName),
  max(coalesce(t.SpanAttributes['http.user_agent'], t.ResourceAttributes['user_agent.original'], '')),
  arg_max(t.SpanAttributes['location.href'], t.Timestamp) FILTER (WHERE t.SpanAttributes['location.href'] <> '')
FROM (SELECT %s AS sid, * FROM otel_traces WHERE Timestamp >= ? AND Timestamp < ? AND %s IN (SELECT sid FROM cand)) t
GROUP BY t.sid
ORDER BY 3 DESC
LIMIT %d`, strings.Join(subs, " UNION ALL "), store.SessionCandidateLimit, sessionExpr, sessionExpr, limit)
	args = append(args, start, end)
	q, release, err := s.readSQL(ctx, q, p.Start, p.End)
	if err != nil {
		return nil, readErr(fmt.Errorf("sessions: %w", err))
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, readErr(fmt.Errorf("sessions: %w", err))
	}
	defer rs.Close()
	var out []store.SessionSummary
	for rs.Next() {
		var (
			sm                store.SessionSummary
			email, name, svc  sql.NullString
			ua, last          sql.NullString
			first, lastT      time.Time
			errs, reqs, views int64
		)
		if err := rs.Scan(&sm.SessionID, &first, &lastT, &email, &name, &errs, &reqs, &views, &svc, &ua, &last); err != nil {
			return nil, readErr(fmt.Errorf("sessions: scan: %w", err))
		}
		sm.Start, sm.End = first.UTC(), lastT.UTC()
		sm.SetDuration()
		sm.UserEmail, sm.UserName, sm.ServiceName = email.String, name.String, svc.String
		sm.ErrorCount, sm.RequestCount, sm.PageViews = errs, reqs, views
		sm.UserAgent, sm.LastURL = ua.String, last.String
		out = append(out, sm)
	}
	if err := rs.Err(); err != nil {
		return nil, readErr(fmt.Errorf("sessions: %w", err))
	}
	return out, nil
}

// SessionRecords returns one page of a session's recording records in
// replay order; see store.SessionReader. Rows stream from DuckDB and the
// read stops at the page's bounds (at an event boundary), so a long
// session is never held in memory at once.
func (s *Store) SessionRecords(ctx context.Context, p store.SessionRecordsParams) ([]store.SessionRecord, bool, error) {
	if err := store.CheckSessionRange(p.Start, p.End); err != nil {
		return nil, false, err
	}
	offset := max(p.Offset, 0)
	num := func(i int) string {
		return "coalesce(CAST(TRY_CAST(" + matCol(i) + " AS DOUBLE) AS BIGINT), -1)"
	}
	q := fmt.Sprintf(`SELECT Timestamp, %s, %s, %s, Body FROM %s
WHERE Timestamp >= ? AND Timestamp < ? AND %s = ?
ORDER BY Timestamp, 2, 3 OFFSET %d`,
		num(1), num(2), num(3), quoteIdent(schema.Sessions.Name), matCol(0), offset)
	q, release, err := s.readSQL(ctx, q, p.Start, p.End)
	if err != nil {
		return nil, false, readErr(fmt.Errorf("session records: %w", err))
	}
	defer release()
	rs, err := s.db.QueryContext(ctx, q, clampTime(p.Start), clampTime(p.End), p.SessionID)
	if err != nil {
		return nil, false, readErr(fmt.Errorf("session records: %w", err))
	}
	defer rs.Close()
	recs, more, err := store.ReadRecordPage(rs, p)
	if err != nil {
		return nil, false, readErr(fmt.Errorf("session records: %w", err))
	}
	return recs, more, nil
}

// SessionTimeline returns the session's spans and log records, oldest
// first; see store.SessionReader.
func (s *Store) SessionTimeline(ctx context.Context, p store.SessionTimelineParams) (spans, logs []store.Row, err error) {
	if err := store.CheckSessionRange(p.Start, p.End); err != nil {
		return nil, nil, err
	}
	limit := p.TimelineLimit()
	read := func(t *schema.Table) ([]store.Row, error) {
		q := fmt.Sprintf("SELECT %s FROM %s WHERE Timestamp >= ? AND Timestamp < ? AND %s = ? ORDER BY Timestamp LIMIT %d",
			selectList(t), quoteIdent(t.Name), sessionExpr, limit)
		q, release, err := s.readSQL(ctx, q, p.Start, p.End)
		if err != nil {
			return nil, err
		}
		defer release()
		rs, err := s.db.QueryContext(ctx, q, clampTime(p.Start), clampTime(p.End), p.SessionID)
		if err != nil {
			return nil, err
		}
		return scanRows(rs, t)
	}
	if spans, err = read(&schema.Traces); err != nil {
		return nil, nil, readErr(fmt.Errorf("session timeline: spans: %w", err))
	}
	if logs, err = read(&schema.Logs); err != nil {
		return nil, nil, readErr(fmt.Errorf("session timeline: logs: %w", err))
	}
	return spans, logs, nil
}
