package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

// chartRequest is the body of POST /api/chart: a chart in HyperDX tile
// vocabulary (see query.ChartRequest) and its RFC 3339 time range (end
// defaults to now, start to 15 minutes before end).
type chartRequest struct {
	query.ChartRequest
	Start string `json:"start"`
	End   string `json:"end"`
}

// chartErrorBody is the 400 answer to an invalid chart: the message, the
// request field at fault ("select[0].valueExpression") and, for an
// expression, the 0-based position inside that field.
type chartErrorBody struct {
	Error    string `json:"error"`
	Field    string `json:"field,omitempty"`
	Position *int   `json:"position,omitempty"`
}

func (s *Server) handleChart(w http.ResponseWriter, r *http.Request) {
	var req chartRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	start, end, msg := parseRange(req.Start, req.End, time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	req.ChartRequest.Limits = s.opts.Limits
	ch := s.opts.Store
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	res, err := ch.Chart(ctx, store.ChartParams{Request: &req.ChartRequest, Start: start, End: end})
	if err != nil {
		s.chartFailed(w, r, "chart", err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// chartFailed maps chart and value-discovery errors: an invalid request is
// a 400 naming the field and position; the rest as queryFailed.
func (s *Server) chartFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	var ce *query.ChartError
	if errors.As(err, &ce) {
		body := chartErrorBody{Error: "invalid " + what + ": " + ce.Error(), Field: ce.Field}
		if pos, ok := errorPosition(ce.Err); ok {
			body.Position = &pos
		}
		writeJSON(w, http.StatusBadRequest, body)
		return
	}
	if errors.Is(err, store.ErrInvalidArgument) && r.Context().Err() == nil && !errors.Is(err, context.DeadlineExceeded) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid %s: %v", what, err))
		return
	}
	s.queryFailed(w, r, what, err)
}

// errorPosition is the position carried by a query parse or bind error.
func errorPosition(err error) (int, bool) {
	var se *query.SyntaxError
	var fe *query.FieldError
	var te *query.TypeError
	switch {
	case errors.As(err, &se):
		return se.Pos, true
	case errors.As(err, &fe):
		return fe.Pos, true
	case errors.As(err, &te):
		return te.Pos, true
	}
	return 0, false
}
