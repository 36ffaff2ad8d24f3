package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/overlook-dev/overlook/internal/replay"
	"github.com/overlook-dev/overlook/internal/store"
)

// Browser sessions (docs/browser-monitoring.md): the list, one session's
// rrweb recording in pages, and its timeline of spans and logs.

const (
	defaultSessionsLimit = 50
	maxSessionsLimit     = 1000
	// defaultSessionRange is the window a session read covers when the
	// request gives no start: the default sessions retention.
	defaultSessionRange    = 30 * 24 * time.Hour
	defaultEventsPageLimit = 500
	maxEventsPageLimit     = 5000
)

func (s *Server) routeSessions() {
	s.route("POST /api/sessions", "sessions", s.handleSessions)
	s.route("GET /api/sessions/{id}/events", "session_events", s.handleSessionEvents)
	s.route("GET /api/sessions/{id}/timeline", "session_timeline", s.handleSessionTimeline)
}

type sessionsRequest struct {
	Query         string `json:"query"`
	WhereLanguage string `json:"whereLanguage"`
	Start         string `json:"start"`
	End           string `json:"end"`
	Limit         int    `json:"limit"`
}

type sessionsResponse struct {
	Sessions []store.SessionSummary `json:"sessions"`
}

func (s *Server) sessionReader(w http.ResponseWriter) (store.SessionReader, bool) {
	sr, ok := s.opts.Store.(store.SessionReader)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this store keeps no browser sessions")
	}
	return sr, ok
}

func (s *Server) handleSessions(w http.ResponseWriter, r *http.Request) {
	var req sessionsRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	sr, ok := s.sessionReader(w)
	if !ok {
		return
	}
	start, end, msg := parseRange(req.Start, req.End, time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	if req.Start == "" {
		start = end.Add(-24 * time.Hour)
	}
	limit := req.Limit
	switch {
	case limit == 0:
		limit = defaultSessionsLimit
	case limit < 0 || limit > maxSessionsLimit:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %d is out of range: use 1 to %d", limit, maxSessionsLimit))
		return
	}
	filter, ok := s.parseFilter(w, req.Query, req.WhereLanguage)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	list, err := sr.Sessions(ctx, store.SessionsParams{Filter: filter, Start: start, End: end, Limit: limit})
	if err != nil {
		s.queryFailed(w, r, "sessions", err)
		return
	}
	for i := range list {
		list[i].Browser = browserOf(list[i].UserAgent)
	}
	if list == nil {
		list = []store.SessionSummary{}
	}
	writeJSON(w, http.StatusOK, sessionsResponse{Sessions: list})
}

// sessionRange reads ?start=&end= (RFC 3339) of a session read; without
// start it covers the sessions retention's default.
func sessionRange(w http.ResponseWriter, r *http.Request) (start, end time.Time, ok bool) {
	qs := r.URL.Query()
	start, end, msg := parseRange(qs.Get("start"), qs.Get("end"), time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return start, end, false
	}
	if qs.Get("start") == "" {
		start = end.Add(-defaultSessionRange)
	}
	return start, end, true
}

func sessionID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if id == "" || len(id) > 256 {
		writeError(w, http.StatusBadRequest, "invalid session ID: give the rum.sessionId of the session (at most 256 characters)")
		return "", false
	}
	return id, true
}

// handleSessionEvents streams one page of the session's rrweb events:
// {"sessionId", "events": [...], "warnings": [...], "next": cursor|null}.
// Pages are read with ?cursor= (the previous answer's next) so a long
// session is never held in memory at once; the events of a page are
// written as they are rebuilt.
func (s *Server) handleSessionEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionID(w, r)
	if !ok {
		return
	}
	start, end, ok := sessionRange(w, r)
	if !ok {
		return
	}
	qs := r.URL.Query()
	offset, limit := 0, defaultEventsPageLimit
	if c := qs.Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid cursor %q: pass the next value of the previous page", c))
			return
		}
		offset = n
	}
	if l := qs.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxEventsPageLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid limit %q: use 1 to %d records", l, maxEventsPageLimit))
			return
		}
		limit = n
	}
	sr, ok := s.sessionReader(w)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	recs, more, err := sr.SessionRecords(ctx, store.SessionRecordsParams{SessionID: id, Start: start, End: end, Offset: offset, Limit: limit})
	if err != nil {
		s.queryFailed(w, r, "session events", err)
		return
	}
	last := !more
	page := replay.Assemble(recs, last)
	var next *string
	if !last {
		n := strconv.Itoa(offset + len(recs) - page.Held)
		next = &n
	}
	warnings := page.Warnings
	if offset == 0 {
		if msg := replay.Replayable(page.Events); msg != "" {
			warnings = append([]replay.Warning{{Message: msg}}, warnings...)
		}
		if len(recs) == 0 {
			warnings = append(warnings, replay.Warning{Message: "no recording of session " + id +
				" in this time range: it was not recorded (replay disabled or sampled out), or is older than the sessions retention"})
		}
	}
	if warnings == nil {
		warnings = []replay.Warning{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	writeStreamed(w, id, page.Events, warnings, next)
}

// writeStreamed writes an events page event by event, flushing as it goes.
func writeStreamed(w http.ResponseWriter, id string, events []json.RawMessage, warnings []replay.Warning, next *string) {
	rc := http.NewResponseController(w)
	idJSON, _ := json.Marshal(id)
	_, _ = fmt.Fprintf(w, `{"sessionId":%s,"events":[`, idJSON)
	for i, ev := range events {
		if i > 0 {
			_, _ = w.Write([]byte{','})
		}
		if _, err := w.Write(ev); err != nil {
			return // the client went away
		}
		if i%64 == 63 {
			_ = rc.Flush() // not every writer flushes; the page still arrives whole
		}
	}
	wj, _ := json.Marshal(warnings)
	nj, _ := json.Marshal(next)
	_, _ = fmt.Fprintf(w, `],"warnings":%s,"next":%s}`+"\n", wj, nj)
}

// timelineEntry is one line of a session's timeline.
type timelineEntry struct {
	Timestamp time.Time `json:"timestamp"`
	// Kind is navigation, click, request, console, exception, resource,
	// span (other RUM spans) or log.
	Kind        string  `json:"kind"`
	Name        string  `json:"name"`
	DurationMs  float64 `json:"durationMs"`
	Method      string  `json:"method,omitempty"`
	URL         string  `json:"url,omitempty"`
	Status      int     `json:"status,omitempty"`
	Message     string  `json:"message,omitempty"`
	Error       bool    `json:"error"`
	Highlighted bool    `json:"highlighted"`
	TraceID     string  `json:"traceId,omitempty"`
	SpanID      string  `json:"spanId,omitempty"`
	Source      string  `json:"source"`
}

type timelineResponse struct {
	SessionID string          `json:"sessionId"`
	Entries   []timelineEntry `json:"entries"`
}

func (s *Server) handleSessionTimeline(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionID(w, r)
	if !ok {
		return
	}
	start, end, ok := sessionRange(w, r)
	if !ok {
		return
	}
	sr, ok := s.sessionReader(w)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	spans, logs, err := sr.SessionTimeline(ctx, store.SessionTimelineParams{SessionID: id, Start: start, End: end})
	if err != nil {
		s.queryFailed(w, r, "session timeline", err)
		return
	}
	writeJSON(w, http.StatusOK, timelineResponse{SessionID: id, Entries: timeline(spans, logs)})
}
