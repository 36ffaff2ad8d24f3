package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/overlook-dev/overlook/internal/meta"
)

// maxImportBytes bounds an imported dashboard document.
const maxImportBytes = 4 << 20

// routeDashboards registers /api/dashboards when a metadata store is set.
func (s *Server) routeDashboards() {
	if s.opts.Meta == nil {
		return
	}
	s.route("GET /api/dashboards", "dashboards_list", s.handleDashboardList)
	s.route("POST /api/dashboards", "dashboards_create", s.handleDashboardCreate)
	s.route("POST /api/dashboards/import", "dashboards_import", s.handleDashboardImport)
	s.route("POST /api/dashboards/import/grafana", "dashboards_import_grafana", s.handleGrafanaImport)
	s.route("GET /api/dashboards/{id}", "dashboards_get", s.handleDashboardGet)
	s.route("PUT /api/dashboards/{id}", "dashboards_update", s.handleDashboardUpdate)
	s.route("DELETE /api/dashboards/{id}", "dashboards_delete", s.handleDashboardDelete)
	s.route("POST /api/dashboards/{id}/duplicate", "dashboards_duplicate", s.handleDashboardDuplicate)
	s.route("GET /api/dashboards/{id}/export", "dashboards_export", s.handleDashboardExport)
}

type dashboardList struct {
	Dashboards []meta.Dashboard `json:"dashboards"`
}

func (s *Server) handleDashboardList(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, dashboardList{Dashboards: s.opts.Meta.List()})
}

func (s *Server) handleDashboardGet(w http.ResponseWriter, r *http.Request) {
	d, err := s.opts.Meta.Get(r.PathValue("id"))
	s.writeDashboard(w, r, http.StatusOK, d, err)
}

func (s *Server) handleDashboardCreate(w http.ResponseWriter, r *http.Request) {
	d, ok := s.decodeDashboard(w, r)
	if !ok {
		return
	}
	d, err := s.opts.Meta.Create(d)
	s.writeDashboard(w, r, http.StatusCreated, d, err)
}

func (s *Server) handleDashboardUpdate(w http.ResponseWriter, r *http.Request) {
	d, ok := s.decodeDashboard(w, r)
	if !ok {
		return
	}
	d, err := s.opts.Meta.Update(r.PathValue("id"), d)
	s.writeDashboard(w, r, http.StatusOK, d, err)
}

func (s *Server) handleDashboardDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Meta.Delete(r.PathValue("id")); err != nil {
		s.writeDashboard(w, r, 0, meta.Dashboard{}, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleDashboardDuplicate(w http.ResponseWriter, r *http.Request) {
	d, err := s.opts.Meta.Duplicate(r.PathValue("id"))
	s.writeDashboard(w, r, http.StatusCreated, d, err)
}

func (s *Server) handleDashboardImport(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("dashboard document is larger than %d bytes", maxImportBytes))
		return
	}
	d, err := meta.ParseImport(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	d, err = s.opts.Meta.Create(d)
	s.writeDashboard(w, r, http.StatusCreated, d, err)
}

func (s *Server) handleDashboardExport(w http.ResponseWriter, r *http.Request) {
	d, err := s.opts.Meta.Get(r.PathValue("id"))
	if err != nil {
		s.writeDashboard(w, r, 0, d, err)
		return
	}
	format := r.URL.Query().Get("format")
	v, err := meta.Export(d, format)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if format == "" {
		format = meta.FormatOverlook
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fileSafe(d.Name)+"."+format+".json"))
	writeJSON(w, http.StatusOK, v)
}

// decodeDashboard reads a dashboard body; a dashboard needs a name, and
// every chart tile a source.
func (s *Server) decodeDashboard(w http.ResponseWriter, r *http.Request) (meta.Dashboard, bool) {
	var d meta.Dashboard
	if !decodeBody(w, r, maxImportBytes, &d) {
		return d, false
	}
	if strings.TrimSpace(d.Name) == "" {
		writeError(w, http.StatusBadRequest, "dashboard name is empty: give the dashboard a name")
		return d, false
	}
	for i, t := range d.Tiles {
		switch t.Config.Source {
		case "logs", "traces", "metrics":
		case meta.SourcePromQL:
			if len(t.Config.Queries) == 0 {
				writeError(w, http.StatusBadRequest, fmt.Sprintf(
					"tiles[%d].config.queries is empty: a promql tile needs at least one query", i))
				return d, false
			}
		default:
			if t.Config.DisplayType != "markdown" {
				writeError(w, http.StatusBadRequest, fmt.Sprintf(
					"tiles[%d].config.source %q is unknown: use logs, traces, metrics or promql", i, t.Config.Source))
				return d, false
			}
		}
	}
	return d, true
}

func (s *Server) writeDashboard(w http.ResponseWriter, r *http.Request, code int, d meta.Dashboard, err error) {
	switch {
	case errors.Is(err, meta.ErrNotFound):
		writeError(w, http.StatusNotFound, "dashboard "+r.PathValue("id")+" not found")
	case err != nil:
		s.opts.Logger.Error("dashboard store failed", "error", err)
		writeError(w, http.StatusInternalServerError, "dashboard store failed: "+err.Error())
	default:
		writeJSON(w, code, d)
	}
}

// fileSafe turns a dashboard name into a download file name.
func fileSafe(name string) string {
	out := strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' || r == '\\' || r == '"' || r < 32 {
			return '-'
		}
		return r
	}, name)
	if out == "" {
		return "dashboard"
	}
	return out
}
