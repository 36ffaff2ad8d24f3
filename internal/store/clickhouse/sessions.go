package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

var (
	_ store.SessionInserter = (*Store)(nil)
	_ store.SessionReader   = (*Store)(nil)
)

// sessionExpr reads a row's session ID: the SDK puts it on the resource.
const sessionExpr = "ResourceAttributes['" + store.SessionAttr + "']"

// InsertSessions stores every log record of ld in hyperdx_sessions (the
// logs columns, as ClickStack's collector writes it); see
// store.SessionInserter.
func (s *Store) InsertSessions(ctx context.Context, ld plog.Logs) error {
	return s.insertLogsInto(ctx, &schema.Sessions, ld)
}

// Sessions lists sessions, newest first: the session IDs whose RUM spans
// or log records match p.Filter, then one summary per session over its
// spans in the range (the DuckDB store's definitions of errors, requests
// and page views). A filter naming fields only one source has runs over
// that source alone.
func (s *Store) Sessions(ctx context.Context, p store.SessionsParams) ([]store.SessionSummary, error) {
	if err := store.CheckSessionRange(p.Start, p.End); err != nil {
		return nil, err
	}
	limit := p.SessionsLimit()
	if s.columns[schema.TracesTable] == nil {
		return nil, nil
	}
	start, end := clamp(p.Start), clamp(p.End)
	var (
		subs       []string
		args       []any
		compileErr error
	)
	for _, src := range []*schema.Source{&schema.TracesSource, &schema.LogsSource} {
		if s.columns[src.Table.Name] == nil {
			continue
		}
		where, a, err := store.AndFilter("Timestamp >= ? AND Timestamp < ? AND "+sessionExpr+" != ''",
			[]any{start, end}, p.Filter, src, s.compileFilter)
		if err != nil {
			compileErr = err
			continue
		}
		subs = append(subs, fmt.Sprintf("SELECT %s AS sid, max(Timestamp) AS last FROM %s WHERE %s GROUP BY sid",
			sessionExpr, s.table(src.Table.Name), where))
		args = append(args, a...)
	}
	if len(subs) == 0 {
		return nil, fmt.Errorf("%w: sessions: %w", store.ErrInvalidArgument, compileErr)
	}
	attr := func(k string) string { return "SpanAttributes['" + k + "']" }
	q := fmt.Sprintf(`WITH cand AS (
  SELECT sid, max(last) AS lastSeen FROM (%s) GROUP BY sid ORDER BY lastSeen DESC LIMIT %d
)
SELECT %s AS sid,
  min(Timestamp) AS first,
  max(fromUnixTimestamp64Nano(toUnixTimestamp64Nano(Timestamp) + toInt64(Duration))) AS lastEnd,
  max(%s), max(%s),
  countIf(StatusCode = 'Error' OR %s = 'error' OR (%s = 'console' AND %s = 'error')
    OR ifNull(toInt64OrNull(%s), 0) >= 400),
  countIf(%s IN ('fetch', 'xml-http-request')),
  countIf(SpanName IN ('documentLoad', 'routeChange')),
  any(ServiceName),
  max(if(%s != '', %s, ResourceAttributes['user_agent.original'])),
  argMaxIf(%s, Timestamp, %s != '')
FROM %s
WHERE Timestamp >= ? AND Timestamp < ? AND %s IN (SELECT sid FROM cand)
GROUP BY sid
ORDER BY lastEnd DESC, sid
LIMIT %d`, strings.Join(subs, " UNION ALL "), store.SessionCandidateLimit, sessionExpr,
		attr("userEmail"), attr("userName"),
		attr("component"), attr("component"), attr("level"), attr("http.status_code"),
		attr("component"),
		attr("http.user_agent"), attr("http.user_agent"),
		attr("location.href"), attr("location.href"),
		s.table(schema.TracesTable), sessionExpr, limit)
	args = append(args, start, end)
	var out []store.SessionSummary
	err := s.scan(ctx, q, args, func(_ []string, v []any) error {
		sm := store.SessionSummary{
			SessionID: v[0].(string), Start: v[1].(time.Time).UTC(), End: v[2].(time.Time).UTC(),
			UserEmail: v[3].(string), UserName: v[4].(string),
			ErrorCount: int64(v[5].(uint64)), RequestCount: int64(v[6].(uint64)), PageViews: int64(v[7].(uint64)),
			ServiceName: v[8].(string), UserAgent: v[9].(string), LastURL: v[10].(string),
		}
		sm.SetDuration()
		out = append(out, sm)
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("sessions: %w", err))
	}
	return out, nil
}

// SessionRecords returns one page of a session's recording records in
// replay order; see store.SessionReader. Rows stream from ClickHouse and
// the read stops at the page's bounds (at an event boundary).
func (s *Store) SessionRecords(ctx context.Context, p store.SessionRecordsParams) ([]store.SessionRecord, bool, error) {
	if err := store.CheckSessionRange(p.Start, p.End); err != nil {
		return nil, false, err
	}
	if s.columns[schema.SessionsTable] == nil {
		return nil, false, nil
	}
	num := func(k string) string {
		return "toInt64(round(ifNull(toFloat64OrNull(LogAttributes['" + k + "']), -1)))"
	}
	q := fmt.Sprintf(`SELECT Timestamp, %s AS ev, %s AS chunk, %s, Body FROM %s
WHERE Timestamp >= ? AND Timestamp < ? AND %s = ?
ORDER BY Timestamp, ev, chunk LIMIT 18446744073709551615 OFFSET %d`,
		num("rr-web.event"), num("rr-web.chunk"), num("rr-web.total-chunks"),
		s.table(schema.SessionsTable), sessionExpr, max(p.Offset, 0))
	qq, args := bindTimes(q, []any{clamp(p.Start), clamp(p.End), p.SessionID})
	rs, err := s.conn.Query(ctx, qq, args...)
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
		if s.columns[t.Name] == nil {
			return []store.Row{}, nil
		}
		q := fmt.Sprintf("SELECT %s FROM %s WHERE Timestamp >= ? AND Timestamp < ? AND %s = ? ORDER BY Timestamp LIMIT %d",
			s.selectList(t), s.tableRef(t), sessionExpr, limit)
		return s.queryRows(ctx, t, q, clamp(p.Start), clamp(p.End), p.SessionID)
	}
	if spans, err = read(&schema.Traces); err != nil {
		return nil, nil, readErr(fmt.Errorf("session timeline: spans: %w", err))
	}
	if logs, err = read(&schema.Logs); err != nil {
		return nil, nil, readErr(fmt.Errorf("session timeline: logs: %w", err))
	}
	return spans, logs, nil
}
