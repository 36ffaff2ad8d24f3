package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/overlook-dev/overlook/internal/store"
)

type traceResponse struct {
	TraceID string      `json:"traceId"`
	Spans   []store.Row `json:"spans"`
}

type traceLogsResponse struct {
	TraceID string      `json:"traceId"`
	Rows    []store.Row `json:"rows"`
	Count   int         `json:"count"`
}

// traceIDFrom reads and normalises the {traceId} path value: 32 hex digits,
// case-insensitive.
func traceIDFrom(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := strings.ToLower(r.PathValue("traceId"))
	if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"invalid trace ID %q: a trace ID is 32 hexadecimal characters", r.PathValue("traceId")))
		return "", false
	}
	return id, true
}

func (s *Server) handleTrace(w http.ResponseWriter, r *http.Request) {
	id, ok := traceIDFrom(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	spans, err := s.opts.Store.Trace(ctx, id)
	if err != nil {
		s.queryFailed(w, r, "trace lookup", err)
		return
	}
	if len(spans) == 0 {
		writeError(w, http.StatusNotFound, "trace "+id+" not found: it may not have arrived yet or is older than the traces retention")
		return
	}
	writeJSON(w, http.StatusOK, traceResponse{TraceID: id, Spans: spans})
}

func (s *Server) handleTraceLogs(w http.ResponseWriter, r *http.Request) {
	id, ok := traceIDFrom(w, r)
	if !ok {
		return
	}
	limit := 0
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid limit %q: use 1 to %d", l, maxLimit))
			return
		}
		limit = n
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	rows, err := s.opts.Store.TraceLogs(ctx, id, limit)
	if err != nil {
		s.queryFailed(w, r, "trace logs lookup", err)
		return
	}
	if rows == nil {
		rows = []store.Row{}
	}
	writeJSON(w, http.StatusOK, traceLogsResponse{TraceID: id, Rows: rows, Count: len(rows)})
}
