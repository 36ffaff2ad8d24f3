package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

type fieldsResponse struct {
	Fields []store.Field `json:"fields"`
}

func (s *Server) handleFields(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	src, ok := schema.SourceByName(q.Get("source"))
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"unknown source %q: use source=logs or source=traces", q.Get("source")))
		return
	}
	start, end, msg := parseRange(q.Get("start"), q.Get("end"), time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	fields, err := s.opts.Store.Fields(ctx, store.FieldsParams{Source: src, Start: start, End: end})
	if err != nil {
		s.queryFailed(w, r, "field discovery", err)
		return
	}
	if fields == nil {
		fields = []store.Field{}
	}
	writeJSON(w, http.StatusOK, fieldsResponse{Fields: fields})
}
