package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/overlook-dev/overlook/internal/alerting/search"
	"github.com/overlook-dev/overlook/internal/meta"
)

// AlertOptions wires /api/alerts; both fields are required to route it.
type AlertOptions struct {
	Store     *meta.AlertStore
	Scheduler *search.Scheduler
}

// testNoticeTimeout bounds "send test notification" (retries included).
const testNoticeTimeout = 60 * time.Second

// routeAlerts registers /api/alerts when alerting is wired.
func (s *Server) routeAlerts() {
	if s.opts.Alerts.Store == nil || s.opts.Alerts.Scheduler == nil {
		return
	}
	s.route("GET /api/alerts", "alerts_list", s.handleAlertList)
	s.route("POST /api/alerts", "alerts_create", s.handleAlertCreate)
	s.route("POST /api/alerts/test-channel", "alerts_test_channel", s.handleAlertTestChannel)
	s.route("GET /api/alerts/{id}", "alerts_get", s.handleAlertGet)
	s.route("PUT /api/alerts/{id}", "alerts_update", s.handleAlertUpdate)
	s.route("DELETE /api/alerts/{id}", "alerts_delete", s.handleAlertDelete)
	s.route("POST /api/alerts/{id}/silence", "alerts_silence", s.handleAlertSilence)
	s.route("DELETE /api/alerts/{id}/silence", "alerts_unsilence", s.handleAlertUnsilence)
	s.route("POST /api/alerts/{id}/test", "alerts_test", s.handleAlertTest)
}

// alertList is GET /api/alerts: every alert with its state, without the
// history (GET /api/alerts/{id} has it).
type alertList struct {
	Alerts []meta.AlertRecord `json:"alerts"`
}

func (s *Server) handleAlertList(w http.ResponseWriter, _ *http.Request) {
	list := s.opts.Alerts.Store.List()
	for i := range list {
		list[i] = present(list[i], time.Now())
		list[i].History = nil
	}
	writeJSON(w, http.StatusOK, alertList{Alerts: list})
}

func (s *Server) handleAlertGet(w http.ResponseWriter, r *http.Request) {
	rec, err := s.opts.Alerts.Store.Get(r.PathValue("id"))
	s.writeAlert(w, r, http.StatusOK, rec, err)
}

func (s *Server) handleAlertCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := s.decodeAlert(w, r)
	if !ok {
		return
	}
	rec, err := s.opts.Alerts.Store.Create(a)
	if err == nil {
		s.opts.Alerts.Scheduler.Reset(rec.ID)
	}
	s.writeAlert(w, r, http.StatusCreated, rec, err)
}

func (s *Server) handleAlertUpdate(w http.ResponseWriter, r *http.Request) {
	a, ok := s.decodeAlert(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	old, err := s.opts.Alerts.Store.Get(id)
	if err != nil {
		s.writeAlert(w, r, 0, old, err)
		return
	}
	rec, err := s.opts.Alerts.Store.Update(id, a, sameEvaluation(old.Alert, a))
	if err == nil {
		s.opts.Alerts.Scheduler.Reset(id)
	}
	s.writeAlert(w, r, http.StatusOK, rec, err)
}

// sameEvaluation tells whether an update keeps what is evaluated (then
// the alert keeps its firing instances and their notices).
func sameEvaluation(a, b meta.Alert) bool {
	return a.Source == b.Source && a.Query == b.Query && a.WhereLanguage == b.WhereLanguage &&
		equalStrings(a.GroupBy, b.GroupBy) && a.DashboardID == b.DashboardID && a.TileID == b.TileID &&
		a.ThresholdType == b.ThresholdType && a.Threshold == b.Threshold && a.Interval == b.Interval
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (s *Server) handleAlertDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.opts.Alerts.Store.Delete(r.PathValue("id")); err != nil {
		s.writeAlert(w, r, 0, meta.AlertRecord{}, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type silenceRequest struct {
	// Until is RFC 3339; For a duration from now ("1h"). One is required.
	Until string `json:"until"`
	For   string `json:"for"`
}

func (s *Server) handleAlertSilence(w http.ResponseWriter, r *http.Request) {
	var req silenceRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	var until time.Time
	switch {
	case req.Until != "":
		t, err := time.Parse(time.RFC3339Nano, req.Until)
		if err != nil {
			writeError(w, http.StatusBadRequest, "until: "+req.Until+" is not RFC 3339, e.g. 2026-01-02T15:04:05Z")
			return
		}
		until = t
	case req.For != "":
		d, err := search.ParseInterval(req.For)
		if err != nil || d <= 0 {
			writeError(w, http.StatusBadRequest, "for: "+req.For+" is not a positive duration, e.g. 1h")
			return
		}
		until = time.Now().Add(d)
	default:
		writeError(w, http.StatusBadRequest, "until is empty: send {\"until\": \"<RFC 3339 time>\"} or {\"for\": \"1h\"}")
		return
	}
	if !until.After(time.Now()) {
		writeError(w, http.StatusBadRequest, "until: "+until.UTC().Format(time.RFC3339)+" is in the past: silence until a future time")
		return
	}
	u := until.UTC()
	rec, err := s.opts.Alerts.Store.SetSilence(r.PathValue("id"), &u)
	if err == nil {
		s.opts.Alerts.Scheduler.Reset(rec.ID)
	}
	s.writeAlert(w, r, http.StatusOK, rec, err)
}

func (s *Server) handleAlertUnsilence(w http.ResponseWriter, r *http.Request) {
	rec, err := s.opts.Alerts.Store.SetSilence(r.PathValue("id"), nil)
	if err == nil {
		s.opts.Alerts.Scheduler.Reset(rec.ID)
	}
	s.writeAlert(w, r, http.StatusOK, rec, err)
}

// testResult is the answer of the test-notification endpoints.
type testResult struct {
	OK       bool   `json:"ok"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
}

func (s *Server) handleAlertTest(w http.ResponseWriter, r *http.Request) {
	rec, err := s.opts.Alerts.Store.Get(r.PathValue("id"))
	if err != nil {
		s.writeAlert(w, r, 0, rec, err)
		return
	}
	s.sendTest(w, r, &rec.Alert, nil)
}

type testChannelRequest struct {
	Channel meta.Channel `json:"channel"`
	// Name is the alertname of the test notice (default "test").
	Name string `json:"name"`
}

func (s *Server) handleAlertTestChannel(w http.ResponseWriter, r *http.Request) {
	var req testChannelRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	if req.Name == "" {
		req.Name = "test"
	}
	a := &meta.Alert{Name: req.Name, Source: "logs", Interval: "1m", ThresholdType: "above", LinkBase: linkBase(r)}
	s.sendTest(w, r, a, &req.Channel)
}

// sendTest answers 200 with the delivery result when the receiver took
// the notice, 502 with the receiver's error otherwise, 400 for a channel
// that is not valid.
func (s *Server) sendTest(w http.ResponseWriter, r *http.Request, a *meta.Alert, c *meta.Channel) {
	ch := a.Channel
	if c != nil {
		ch = *c
	}
	if _, err := s.opts.Alerts.Scheduler.Normalize(meta.Alert{Name: "x", Source: "logs", Interval: "1m", Channel: ch}); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), testNoticeTimeout)
	defer cancel()
	attempts, err := s.opts.Alerts.Scheduler.SendTest(ctx, a, c)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, testResult{Attempts: attempts,
			Error: "the channel did not take the test notification: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, testResult{OK: true, Attempts: attempts})
}

// decodeAlert reads and validates an alert body; errors are 400s naming
// the field.
func (s *Server) decodeAlert(w http.ResponseWriter, r *http.Request) (meta.Alert, bool) {
	var a meta.Alert
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &a) {
		return a, false
	}
	a.ID, a.CreatedAt, a.UpdatedAt = "", time.Time{}, time.Time{}
	a.LinkBase = linkBase(r)
	a, err := s.opts.Alerts.Scheduler.Normalize(a)
	var ve *search.ValidationError
	switch {
	case errors.As(err, &ve):
		writeJSON(w, http.StatusBadRequest, chartErrorBody{Error: "invalid alert: " + ve.Error(), Field: ve.Field})
		return a, false
	case err != nil:
		s.opts.Logger.Error("validate alert", "error", err)
		writeError(w, http.StatusInternalServerError, "validate alert: "+err.Error())
		return a, false
	}
	return a, true
}

// linkBase is the UI's base URL as the client reached it (links in
// notices when no external URL is configured).
func linkBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	return scheme + "://" + host
}

// present is the alert as answered: a silence that has passed no longer
// shows.
func present(rec meta.AlertRecord, now time.Time) meta.AlertRecord {
	if rec.SilenceUntil != nil && !now.Before(*rec.SilenceUntil) {
		rec.SilenceUntil = nil
	}
	switch {
	case rec.State == search.StateError:
	case rec.SilenceUntil != nil:
		rec.State = search.StateSilenced
	case len(rec.Instances) > 0:
		rec.State = search.StateAlert
	default:
		// Not evaluated yet (lastEvaluation is null), or nothing fires.
		rec.State = search.StateOK
	}
	return rec
}

func (s *Server) writeAlert(w http.ResponseWriter, r *http.Request, code int, rec meta.AlertRecord, err error) {
	switch {
	case errors.Is(err, meta.ErrNotFound):
		writeError(w, http.StatusNotFound, "alert "+r.PathValue("id")+" not found")
	case err != nil:
		s.opts.Logger.Error("alert store failed", "error", err)
		writeError(w, http.StatusInternalServerError, "alert store failed: "+err.Error())
	default:
		writeJSON(w, code, present(rec, time.Now()))
	}
}
