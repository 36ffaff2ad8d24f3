package store

import (
	"fmt"
	"time"
)

// Session read limits, the same in every backend.
const (
	DefaultSessionsLimit  = 50
	MaxSessionsLimit      = 1000
	DefaultTimelineLimit  = 5000
	MaxTimelineLimit      = 20000
	DefaultRecordsLimit   = 500
	DefaultRecordsBytes   = 16 << 20 // under the API's 32 MiB response cap
	MaxRecordsLimit       = 5000
	SessionCandidateLimit = 10000 // session IDs a filter may match before the summaries are computed
)

// CheckSessionRange validates the time range of a session read: both ends
// set, end not before start.
func CheckSessionRange(start, end time.Time) error {
	if start.IsZero() || end.IsZero() {
		return fmt.Errorf("%w: a time range (start and end) is required", ErrInvalidArgument)
	}
	if end.Before(start) {
		return fmt.Errorf("%w: end %v before start %v", ErrInvalidArgument, end, start)
	}
	return nil
}

// clampLimit is n, or def when n is not positive, at most most.
func clampLimit(n, def, most int) int {
	switch {
	case n <= 0:
		return def
	case n > most:
		return most
	}
	return n
}

// SessionsLimit is the sessions p asks for: Limit, or the default, capped.
func (p SessionsParams) SessionsLimit() int {
	return clampLimit(p.Limit, DefaultSessionsLimit, MaxSessionsLimit)
}

// TimelineLimit is the spans and log records (each) p asks for.
func (p SessionTimelineParams) TimelineLimit() int {
	return clampLimit(p.Limit, DefaultTimelineLimit, MaxTimelineLimit)
}

// SetDuration sets DurationMs from Start and End.
func (sm *SessionSummary) SetDuration() {
	sm.DurationMs = sm.End.Sub(sm.Start).Milliseconds()
}

// RecordPage collects one page of SessionRecords from records read in
// replay order: about the page's Limit records or MaxBytes of bodies,
// never ending inside an event's chunks.
type RecordPage struct {
	limit, maxBytes, bytes int
	// Records are the page's records so far.
	Records []SessionRecord
}

// NewRecordPage starts the page p asks for (its limits defaulted and
// capped).
func NewRecordPage(p SessionRecordsParams) *RecordPage {
	maxBytes := p.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultRecordsBytes
	}
	return &RecordPage{limit: clampLimit(p.Limit, DefaultRecordsLimit, MaxRecordsLimit), maxBytes: maxBytes}
}

// Add adds r (its Timestamp made UTC) to the page, or reports that the
// page is full before r: more records follow the page.
func (pg *RecordPage) Add(r SessionRecord) (full bool) {
	r.Timestamp = r.Timestamp.UTC()
	if n := len(pg.Records); (n >= pg.limit || pg.bytes >= pg.maxBytes) && !sameEvent(pg.Records[n-1], r) {
		return true
	}
	pg.Records = append(pg.Records, r)
	pg.bytes += len(r.Body)
	return false
}

// sameEvent reports whether b is a further chunk of a's event.
func sameEvent(a, b SessionRecord) bool {
	return a.Event >= 0 && a.TotalChunks > 1 && a.Event == b.Event && a.Timestamp.Equal(b.Timestamp)
}

// RecordRows are the rows of a backend's recording read (database/sql's
// and ClickHouse's rows both are): Timestamp, rr-web.event, rr-web.chunk,
// rr-web.total-chunks, Body, in replay order from the page's offset.
type RecordRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ReadRecordPage reads the page p asks for from rs, stopping at its
// bounds; more says records follow the page.
func ReadRecordPage(rs RecordRows, p SessionRecordsParams) (recs []SessionRecord, more bool, err error) {
	page := NewRecordPage(p)
	for rs.Next() {
		var r SessionRecord
		if err := rs.Scan(&r.Timestamp, &r.Event, &r.Chunk, &r.TotalChunks, &r.Body); err != nil {
			return nil, false, fmt.Errorf("scan: %w", err)
		}
		if page.Add(r) {
			return page.Records, true, nil
		}
	}
	if err := rs.Err(); err != nil {
		return nil, false, err
	}
	return page.Records, false, nil
}
