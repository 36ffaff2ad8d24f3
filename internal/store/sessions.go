package store

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/query"
)

// SessionAttr is the resource attribute HyperDX's browser SDK puts on every
// span, log record and recording record of one browser session.
const SessionAttr = "rum.sessionId"

// SessionInserter is an optional capability of a Store: storing browser
// session recordings (rrweb events as OTLP log records) in hyperdx_sessions
// rather than otel_logs. Same contract as LogInserter.
type SessionInserter interface {
	InsertSessions(ctx context.Context, ld plog.Logs) error
}

// SessionsParams selects sessions.
type SessionsParams struct {
	// Filter runs over the session's RUM spans and log records (any
	// attribute); nil matches every session.
	Filter query.Node
	// Start and End bound the spans' and logs' Timestamp (End exclusive);
	// both are required.
	Start, End time.Time
	// Limit caps the sessions returned, newest first; zero: 50.
	Limit int
}

// SessionSummary is one browser session as listed.
type SessionSummary struct {
	SessionID    string    `json:"sessionId"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	DurationMs   int64     `json:"durationMs"`
	UserEmail    string    `json:"userEmail"`
	UserName     string    `json:"userName"`
	ErrorCount   int64     `json:"errorCount"`
	RequestCount int64     `json:"requestCount"`
	PageViews    int64     `json:"pageViews"`
	ServiceName  string    `json:"serviceName"`
	Browser      string    `json:"browser"`
	LastURL      string    `json:"lastUrl"`
	// UserAgent is what Browser was derived from.
	UserAgent string `json:"-"`
}

// SessionRecord is one stored recording record: a chunk of one rrweb event
// (the SDK's rr-web.* attributes; -1 where absent or not a number).
type SessionRecord struct {
	Timestamp   time.Time
	Event       int64 // rr-web.event: the event's number in the page's recording
	Chunk       int64 // rr-web.chunk: 1-based chunk number
	TotalChunks int64 // rr-web.total-chunks
	Body        string
}

// SessionRecordsParams pages through one session's recording, in replay
// order: from record Offset of those in [Start, End), about Limit records
// or MaxBytes of bodies, whichever comes first, but never ending inside an
// event's chunks (so a page holds whole events).
type SessionRecordsParams struct {
	SessionID     string
	Start, End    time.Time
	Offset, Limit int
	// MaxBytes bounds the page's bodies; zero: 16 MiB.
	MaxBytes int
}

// SessionTimelineParams selects one session's spans and log records.
type SessionTimelineParams struct {
	SessionID  string
	Start, End time.Time
	// Limit caps spans and log records each; zero: 5000.
	Limit int
}

// SessionReader is an optional capability of a Store: the browser sessions
// of HyperDX's browser SDK (docs/browser-monitoring.md).
type SessionReader interface {
	// Sessions lists the sessions whose spans or log records match,
	// newest first.
	Sessions(ctx context.Context, p SessionsParams) ([]SessionSummary, error)
	// SessionRecords returns one page of the session's recording records,
	// ordered by Timestamp, rr-web.event, rr-web.chunk; more says records
	// follow the page.
	SessionRecords(ctx context.Context, p SessionRecordsParams) (recs []SessionRecord, more bool, err error)
	// SessionTimeline returns the session's spans and log records, oldest
	// first, each at most p.Limit.
	SessionTimeline(ctx context.Context, p SessionTimelineParams) (spans, logs []Row, err error)
}
