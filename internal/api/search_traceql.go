package api

import (
	"context"
	"net/http"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// searchTraceQL answers POST /api/search with whereLanguage "traceql":
// the spans a TraceQL query matches, newest trace first, at most limit
// rows. Each row has Timestamp, TraceId, SpanId, SpanName, ServiceName and
// Duration, plus one column per select()ed field (named as written).
func (s *Server) searchTraceQL(w http.ResponseWriter, r *http.Request, src *schema.Source, q string, start, end time.Time, limit int) {
	if src != &schema.TracesSource {
		writeError(w, http.StatusBadRequest, "whereLanguage \"traceql\" queries the traces source: set source to \"traces\"")
		return
	}
	ts, ok := s.tempoSearcher(w)
	if !ok {
		return
	}
	if q == "" {
		q = "{}"
	}
	tq, ok := parseTraceQL(w, q)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	res, err := ts.TraceQLSearch(ctx, store.TraceQLSearchParams{Query: tq, Start: start, End: end,
		Limit: limit, SpansPerSet: limit})
	if err != nil {
		s.queryFailed(w, r, "search", err)
		return
	}
	rows := []store.Row{}
	for _, t := range res {
		for _, ss := range t.SpanSets {
			for _, sp := range ss.Spans {
				if len(rows) >= limit {
					break
				}
				row := store.Row{"Timestamp": time.Unix(0, sp.StartUnixNano).UTC(), "TraceId": t.TraceID,
					"SpanId": sp.SpanID, "SpanName": sp.Name, "ServiceName": sp.ServiceName, "Duration": sp.DurationNanos}
				for i, v := range sp.Selected {
					row[tq.Select[i].Text] = v
				}
				rows = append(rows, row)
			}
		}
	}
	writeJSON(w, http.StatusOK, searchResponse{Rows: rows, Count: int64(len(rows))})
}
