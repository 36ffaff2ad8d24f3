package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// deltaValuesPerField is how many values each field of /api/deltas lists.
const deltaValuesPerField = 10

type deltaSelection struct {
	DurationMinMs *float64 `json:"durationMinMs"`
	DurationMaxMs *float64 `json:"durationMaxMs"`
	Start         *string  `json:"start"`
	End           *string  `json:"end"`
}

type deltasRequest struct {
	scopeRequest
	Selection *deltaSelection `json:"selection"`
}

type deltasResponse struct {
	SelectionCount  int64              `json:"selectionCount"`
	BackgroundCount int64              `json:"backgroundCount"`
	Attributes      []store.DeltaField `json:"attributes"`
	// Sampled is set when the distributions were computed on a sample of
	// a side (the counts are exact).
	Sampled bool `json:"sampled"`
}

// handleDeltas serves POST /api/deltas: how the values of every column
// and attribute are distributed in a selection of the scope (a duration
// band, a time band) versus the rest of it, fields ranked by how
// different the distributions are (docs/analysis-api.md).
func (s *Server) handleDeltas(w http.ResponseWriter, r *http.Request) {
	var req deltasRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	sc, ok := s.scope(w, req.scopeRequest)
	if !ok {
		return
	}
	p := store.DeltaParams{Scope: sc, MaxRows: s.opts.Analysis.DeltaRows, MaxValues: deltaValuesPerField}
	sel := req.Selection
	if sel == nil {
		writeError(w, http.StatusBadRequest, "selection is required: give selection.durationMinMs, durationMaxMs, start or end")
		return
	}
	for _, d := range []struct {
		name string
		v    *float64
		dst  **int64
	}{{"selection.durationMinMs", sel.DurationMinMs, &p.DurationMin}, {"selection.durationMaxMs", sel.DurationMaxMs, &p.DurationMax}} {
		if d.v == nil {
			continue
		}
		if *d.v < 0 || math.IsNaN(*d.v) || *d.v > 1e12 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s %v is out of range: use milliseconds from 0 to 1e12", d.name, *d.v))
			return
		}
		ns := int64(math.Round(*d.v * 1e6))
		*d.dst = &ns
	}
	if p.DurationMin != nil && p.DurationMax != nil && *p.DurationMin > *p.DurationMax {
		writeError(w, http.StatusBadRequest, "selection.durationMinMs is greater than selection.durationMaxMs")
		return
	}
	if (p.DurationMin != nil || p.DurationMax != nil) && sc.Source.Name != "traces" {
		writeError(w, http.StatusBadRequest, "selection.durationMinMs and durationMaxMs need source \"traces\": logs have no duration")
		return
	}
	for _, t := range []struct {
		name string
		v    *string
		dst  **time.Time
	}{{"selection.start", sel.Start, &p.SelStart}, {"selection.end", sel.End, &p.SelEnd}} {
		if t.v == nil {
			continue
		}
		tm, err := time.Parse(time.RFC3339Nano, *t.v)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid %s %q: use RFC 3339, e.g. 2026-01-02T15:04:05Z", t.name, *t.v))
			return
		}
		*t.dst = &tm
	}
	if p.SelStart != nil && p.SelEnd != nil && !p.SelStart.Before(*p.SelEnd) {
		writeError(w, http.StatusBadRequest, "selection.start is not before selection.end")
		return
	}
	if p.DurationMin == nil && p.DurationMax == nil && p.SelStart == nil && p.SelEnd == nil {
		writeError(w, http.StatusBadRequest, "selection is empty: give selection.durationMinMs, durationMaxMs, start or end")
		return
	}
	da, ok := s.opts.Store.(store.DeltaAnalyzer)
	if !ok {
		unsupported(w, "event deltas")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	res, err := da.Deltas(ctx, p)
	if err != nil {
		s.queryFailed(w, r, "deltas", err)
		return
	}
	writeJSON(w, http.StatusOK, deltasResponse{SelectionCount: res.SelectionCount, BackgroundCount: res.BackgroundCount,
		Attributes: res.Fields, Sampled: res.Sampled})
}
