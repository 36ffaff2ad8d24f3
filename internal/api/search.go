package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

const (
	defaultLimit = 100
	maxLimit     = 10000
	// defaultRange is the window searched when a request gives no start.
	defaultRange = 15 * time.Minute
)

// searchRequest is the body of POST /api/search.
type searchRequest struct {
	Source string `json:"source"`
	Query  string `json:"query"`
	// WhereLanguage is "lucene" (default), "sql" or, for traces,
	// "traceql" (see search_traceql.go).
	WhereLanguage string `json:"whereLanguage"`
	Start         string `json:"start"`
	End           string `json:"end"`
	Limit         int    `json:"limit"`
}

type searchResponse struct {
	Rows  []store.Row `json:"rows"`
	Count int64       `json:"count"`
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	var req searchRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	src, ok := schema.SourceByName(req.Source)
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"unknown source %q: use \"logs\" or \"traces\"", req.Source))
		return
	}
	start, end, msg := parseRange(req.Start, req.End, time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	limit := req.Limit
	switch {
	case limit == 0:
		limit = defaultLimit
	case limit < 0 || limit > maxLimit:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %d is out of range: use 1 to %d", limit, maxLimit))
		return
	}
	if strings.EqualFold(req.WhereLanguage, "traceql") {
		s.searchTraceQL(w, r, src, req.Query, start, end, limit)
		return
	}
	filter, ok := s.parseFilter(w, req.Query, req.WhereLanguage)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	res, err := s.opts.Store.Search(ctx, store.SearchParams{
		Source: src, Filter: filter, Start: start, End: end, Limit: limit,
	})
	if err != nil {
		s.queryFailed(w, r, "search", err)
		return
	}
	if res.Rows == nil {
		res.Rows = []store.Row{}
	}
	writeJSON(w, http.StatusOK, searchResponse{Rows: res.Rows, Count: res.Count})
}

// parseFilter parses q in the given language within the configured
// limits, writing a 400 with the error position on failure.
func (s *Server) parseFilter(w http.ResponseWriter, q, lang string) (query.Node, bool) {
	switch strings.ToLower(lang) {
	case "", "lucene", "sql":
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"unknown whereLanguage %q: use \"lucene\", \"sql\" or (traces) \"traceql\"", lang))
		return nil, false
	}
	n, err := query.ParseLimited(q, lang, s.opts.Limits)
	if err != nil {
		var se *query.SyntaxError
		if errors.As(err, &se) {
			writeErrorAt(w, http.StatusBadRequest, "invalid query: "+se.Error(), se.Pos)
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "invalid query: "+err.Error())
		return nil, false
	}
	return n, true
}

// queryFailed maps a store error to a response: the caller's mistakes are
// 400s, cancellations 499/504, everything else a logged 500.
func (s *Server) queryFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	var fe *query.FieldError
	var se *query.SyntaxError
	switch {
	case errors.As(err, &fe):
		writeErrorAt(w, http.StatusBadRequest, "invalid query: "+fe.Error(), fe.Pos)
	case errors.As(err, &se):
		writeErrorAt(w, http.StatusBadRequest, "invalid query: "+se.Error(), se.Pos)
	case errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil:
		// The query's own timeout (query_timeout) fired and DuckDB was
		// interrupted. The exact body is part of the API contract.
		writeError(w, http.StatusGatewayTimeout, "query timed out after "+s.opts.QueryTimeout.String())
	case r.Context().Err() != nil:
		// The client went away, or the server is shutting down and
		// cancelled every running query.
		writeError(w, 499, what+" cancelled: the client closed the request or the server is shutting down")
	case errors.Is(err, store.ErrInvalidArgument):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, store.ErrUnavailable) || errors.Is(s.storeHealth(), store.ErrDown):
		// The store's own state (invalidated by a disk error, reopening):
		// retryable, and the reason is the store's, not the query's.
		reason := s.storeHealth()
		if reason == nil {
			reason = err
		}
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, what+" failed: "+reason.Error())
	default:
		s.opts.Logger.Error("query failed", "endpoint", what, "error", err)
		writeError(w, http.StatusInternalServerError, what+" failed: "+err.Error())
	}
}

// parseRange parses RFC 3339 start and end. A missing end is now; a missing
// start is end minus 15 minutes. It returns a message when the input is bad.
func parseRange(startS, endS string, now time.Time) (start, end time.Time, msg string) {
	end = now
	if endS != "" {
		t, err := time.Parse(time.RFC3339Nano, endS)
		if err != nil {
			return start, end, fmt.Sprintf("invalid end %q: use RFC 3339, e.g. 2026-01-02T15:04:05Z", endS)
		}
		end = t
	}
	start = end.Add(-defaultRange)
	if startS != "" {
		t, err := time.Parse(time.RFC3339Nano, startS)
		if err != nil {
			return start, end, fmt.Sprintf("invalid start %q: use RFC 3339, e.g. 2026-01-02T15:04:05Z", startS)
		}
		start = t
	}
	if !start.Before(end) {
		return start, end, fmt.Sprintf("start %s is not before end %s", start.Format(time.RFC3339Nano), end.Format(time.RFC3339Nano))
	}
	return start, end, ""
}
