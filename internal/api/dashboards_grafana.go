package api

import (
	"fmt"
	"io"
	"net/http"

	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/meta/grafana"
)

// grafanaImport is the answer of POST /api/dashboards/import/grafana: the
// created dashboard and every part of the Grafana dashboard that did not
// map (always a list, empty when everything mapped).
type grafanaImport struct {
	Dashboard meta.Dashboard     `json:"dashboard"`
	Unmapped  []grafana.Unmapped `json:"unmapped"`
}

// handleGrafanaImport converts a Grafana dashboard JSON model (bare, or
// wrapped as {"dashboard": {...}}) into a dashboard of PromQL tiles.
func (s *Server) handleGrafanaImport(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Grafana dashboard is larger than %d bytes", maxImportBytes))
		return
	}
	res, err := grafana.Convert(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	d, err := s.opts.Meta.Create(res.Dashboard)
	if err != nil {
		s.writeDashboard(w, r, 0, d, err)
		return
	}
	out := grafanaImport{Dashboard: d, Unmapped: res.Unmapped}
	if out.Unmapped == nil {
		out.Unmapped = []grafana.Unmapped{}
	}
	writeJSON(w, http.StatusCreated, out)
}
