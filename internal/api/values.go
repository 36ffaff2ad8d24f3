package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

type valuesResponse struct {
	Values []store.Value `json:"values"`
}

// handleValues serves GET /api/values?source=&field=&start=&end=&prefix=&limit=:
// the most frequent values of field (a SQL-mode value expression such as
// SpanAttributes['app.payment.card_type'] or MetricName) among a bounded
// sample of the range, for autocomplete.
func (s *Server) handleValues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	source := q.Get("source")
	switch source {
	case "logs", "traces", "metrics":
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"unknown source %q: use source=logs, source=traces or source=metrics", source))
		return
	}
	field := q.Get("field")
	if field == "" {
		writeError(w, http.StatusBadRequest, "field is required, e.g. field=ServiceName or field=SpanAttributes['http.method']")
		return
	}
	start, end, msg := parseRange(q.Get("start"), q.Get("end"), time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	limit := 0
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %q must be a positive integer", l))
			return
		}
		limit = n
	}
	vl := s.opts.Store
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	vals, err := vl.Values(ctx, store.ValuesParams{Source: source, Field: field, Prefix: q.Get("prefix"),
		Start: start, End: end, Limit: limit})
	if err != nil {
		s.chartFailed(w, r, "value discovery", err)
		return
	}
	writeJSON(w, http.StatusOK, valuesResponse{Values: vals})
}
