package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

const (
	defaultFacetValues = 10
	maxFacetValues     = 100
	// maxFacetFields bounds the fields of one facets request.
	maxFacetFields = 20
)

// facetResources are the resource attributes offered as facets after the
// source's own columns.
var facetResources = []string{"k8s.namespace.name", "k8s.pod.name", "k8s.deployment.name", "host.name"}

type facetsRequest struct {
	scopeRequest
	Fields []string `json:"fields"`
	Limit  int      `json:"limit"`
}

type facetsResponse struct {
	Facets      []store.Facet `json:"facets"`
	RowsScanned int64         `json:"rowsScanned"`
	Sampled     bool          `json:"sampled"`
}

// handleFacets serves POST /api/facets: the top values of fields in the
// scope (a uniform sample of at most FacetRows rows), for the search
// sidebar. Without fields: the source's main columns, the k8s and host
// resource attributes, then the most frequent attribute keys — at most 20,
// those without values left out.
func (s *Server) handleFacets(w http.ResponseWriter, r *http.Request) {
	var req facetsRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	sc, ok := s.scope(w, req.scopeRequest)
	if !ok {
		return
	}
	limit := req.Limit
	switch {
	case limit == 0:
		limit = defaultFacetValues
	case limit < 0 || limit > maxFacetValues:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %d is out of range: use 1 to %d", limit, maxFacetValues))
		return
	}
	if len(req.Fields) > maxFacetFields {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("fields has %d entries: at most %d", len(req.Fields), maxFacetFields))
		return
	}
	fa, ok := s.opts.Store.(store.Faceter)
	if !ok {
		unsupported(w, "facets")
		return
	}
	for _, f := range req.Fields {
		if _, _, err := query.CompileValue(f, sc.Source, query.DuckDB); err != nil || strings.TrimSpace(f) == "" {
			msg := "empty field name"
			if err != nil {
				msg = err.Error()
			}
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid field %q in fields: %s", f, msg))
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	names, exprs := req.Fields, req.Fields
	auto := len(req.Fields) == 0
	if auto {
		var err error
		if names, exprs, err = s.defaultFacets(ctx, fa, sc); err != nil {
			s.queryFailed(w, r, "facets", err)
			return
		}
	}
	res, err := fa.Facets(ctx, store.FacetParams{Scope: sc, Fields: exprs, Names: names, Limit: limit, MaxRows: s.opts.Analysis.FacetRows})
	if err != nil {
		s.queryFailed(w, r, "facets", err)
		return
	}
	out := facetsResponse{Facets: []store.Facet{}, RowsScanned: res.RowsScanned, Sampled: res.Sampled}
	for _, f := range res.Facets {
		if auto && len(f.Values) == 0 {
			continue
		}
		out.Facets = append(out.Facets, f)
	}
	writeJSON(w, http.StatusOK, out)
}

// defaultFacets are the facet fields of a request without fields: names
// as the query language writes them, and the value expressions to read.
func (s *Server) defaultFacets(ctx context.Context, fa store.Faceter, sc store.Scope) (names, exprs []string, err error) {
	cols := []string{"ServiceName", "SeverityText"}
	if sc.Source.Name == "traces" {
		cols = []string{"ServiceName", "StatusCode", "SpanKind", "SpanName"}
	}
	seen := map[string]bool{}
	add := func(name, expr string) {
		if !seen[name] && len(names) < maxFacetFields {
			seen[name] = true
			names, exprs = append(names, name), append(exprs, expr)
		}
	}
	for _, c := range cols {
		add(c, c)
	}
	for _, k := range facetResources {
		add("ResourceAttributes."+k, mapExpr("ResourceAttributes", k))
	}
	keys, err := fa.TopAttributeKeys(ctx, sc, s.opts.Analysis.FacetRows, maxFacetFields)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range keys {
		m, key, _ := strings.Cut(k, ".")
		add(k, mapExpr(m, key))
	}
	return names, exprs, nil
}

// mapExpr is the SQL-mode expression of a map value: M['key'].
func mapExpr(m, key string) string {
	return m + "['" + strings.ReplaceAll(key, "'", "''") + "']"
}
