package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// AnalysisLimits bound the rows the analysis endpoints read
// (extensions::overlook::query::analysis::...; docs/limits.md). Zero
// fields take the defaults.
type AnalysisLimits struct {
	// PatternSampleRows is how many events /api/patterns clusters at most
	// (a uniform sample of bigger ranges; the counts are exact anyway).
	PatternSampleRows int
	// FacetRows is how many rows /api/facets reads at most (a uniform
	// sample of bigger ranges, reported as sampled).
	FacetRows int
	// DeltaRows is how many rows of each side (selection, background)
	// /api/deltas compares at most.
	DeltaRows int
}

// Analysis limit defaults.
const (
	DefaultPatternSampleRows = 50_000
	DefaultFacetRows         = 50_000
	DefaultDeltaRows         = 20_000
)

// WithDefaults fills the zero fields.
func (l AnalysisLimits) WithDefaults() AnalysisLimits {
	if l.PatternSampleRows <= 0 {
		l.PatternSampleRows = DefaultPatternSampleRows
	}
	if l.FacetRows <= 0 {
		l.FacetRows = DefaultFacetRows
	}
	if l.DeltaRows <= 0 {
		l.DeltaRows = DefaultDeltaRows
	}
	return l
}

func (s *Server) routeAnalysis() {
	s.route("POST /api/patterns", "patterns", s.handlePatterns)
	s.route("POST /api/deltas", "deltas", s.handleDeltas)
	s.route("POST /api/facets", "facets", s.handleFacets)
	s.route("POST /api/infrastructure", "infrastructure", s.handleInfrastructure)
}

// scopeRequest is the part of the analysis requests that says which rows
// are analysed, as in POST /api/search.
type scopeRequest struct {
	Source string `json:"source"`
	Query  string `json:"query"`
	// WhereLanguage is "lucene" (default) or "sql".
	WhereLanguage string `json:"whereLanguage"`
	Start         string `json:"start"`
	End           string `json:"end"`
}

// scope validates r, writing a 400 naming the field when it is bad.
func (s *Server) scope(w http.ResponseWriter, r scopeRequest) (store.Scope, bool) {
	src, ok := schema.SourceByName(r.Source)
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown source %q: use \"logs\" or \"traces\"", r.Source))
		return store.Scope{}, false
	}
	start, end, msg := parseRange(r.Start, r.End, time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return store.Scope{}, false
	}
	filter, ok := s.parseFilter(w, r.Query, r.WhereLanguage)
	if !ok {
		return store.Scope{}, false
	}
	return store.Scope{Source: src, Filter: filter, Start: start, End: end}, true
}

// unsupported answers 501 for a store without the capability an endpoint needs.
func unsupported(w http.ResponseWriter, what string) {
	writeError(w, http.StatusNotImplemented, what+" is not supported by this store")
}
