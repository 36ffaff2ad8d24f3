package meta

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// alertsFileName is the alerts document under <dir>: every alert rule with
// its evaluation state, silence and bounded history.
const alertsFileName = "alerts.json"

// MaxAlertHistory is how many state transitions each alert keeps (the
// oldest are dropped first); MaxAlertNotifications how many delivery
// results.
const (
	MaxAlertHistory       = 100
	MaxAlertNotifications = 20
)

// Alert is an alert rule on a search (count of matching logs or spans per
// interval) or on a dashboard chart tile (any series crossing the
// threshold). Exactly one of Source or DashboardID is set.
type Alert struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Search alerts: Source is "logs" or "traces", Query in WhereLanguage
	// ("lucene" or "sql"), GroupBy SQL-mode expressions (one alert
	// instance per group value).
	Source        string   `json:"source,omitempty"`
	Query         string   `json:"query"`
	WhereLanguage string   `json:"whereLanguage,omitempty"`
	GroupBy       []string `json:"groupBy"`
	// Tile alerts: the tile's chart, every series of it.
	DashboardID string `json:"dashboardId,omitempty"`
	TileID      string `json:"tileId,omitempty"`
	// Interval is how often the alert is evaluated and the window it
	// looks back over (a Go duration, at least 5s).
	Interval string `json:"interval"`
	// ThresholdType is above (value ≥ threshold), below (<),
	// above_exclusive (>), below_or_equal (≤), equal, not_equal, between
	// or not_between (with ThresholdMax, inclusive).
	ThresholdType string   `json:"thresholdType"`
	Threshold     float64  `json:"threshold"`
	ThresholdMax  *float64 `json:"thresholdMax,omitempty"`
	Channel       Channel  `json:"channel"`
	// SilenceUntil suppresses notifications until then (evaluation goes on).
	SilenceUntil *time.Time `json:"silenceUntil,omitempty"`
	// Message is a Go text/template for the notice (see docs/alerting.md).
	Message string `json:"message,omitempty"`
	// RepeatInterval re-sends a still-firing notice this often (Go
	// duration; empty: 4h).
	RepeatInterval string `json:"repeatInterval,omitempty"`
	// Labels are added to every notice's labels.
	Labels map[string]string `json:"labels,omitempty"`
	// LinkBase is the UI's base URL for links in notices when the server
	// has no external URL: the scheme and Host of the request that saved
	// the alert. Set by the server.
	LinkBase  string    `json:"linkBase,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Channel is where an alert's notices go.
type Channel struct {
	// Type is "webhook" (Alertmanager webhook payload), "slack" (incoming
	// webhook {"text": ...}) or "template" (Body rendered over the
	// payload, sent with ContentType).
	Type        string            `json:"type"`
	URL         string            `json:"url"`
	Body        string            `json:"body,omitempty"`
	ContentType string            `json:"contentType,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
}

// AlertStatus is an alert's evaluation state; the scheduler owns it.
type AlertStatus struct {
	// State is ok, alert, silenced or error ("" before the first
	// evaluation: pending).
	State          string     `json:"state"`
	LastEvaluation *time.Time `json:"lastEvaluation,omitempty"`
	LastError      string     `json:"lastError,omitempty"`
	// LastValue is the largest (above) or smallest (below) value of the
	// last evaluation.
	LastValue *float64        `json:"lastValue,omitempty"`
	Instances []AlertInstance `json:"instances"`
	History   []AlertEvent    `json:"history"`
	// Notifications are the latest delivery results, newest last.
	Notifications []NotificationResult `json:"notifications"`
}

// AlertInstance is one group of an alert (the only one when ungrouped).
type AlertInstance struct {
	Group map[string]string `json:"group,omitempty"`
	// State is "alert" or "ok".
	State string  `json:"state"`
	Value float64 `json:"value"`
	// Since is when the instance started firing.
	Since time.Time `json:"since"`
	// Notified is when its firing notice was last delivered (nil: not
	// yet, e.g. silenced or delivery failed).
	Notified *time.Time `json:"notified,omitempty"`
}

// AlertEvent is one history entry: an instance firing or resolving, an
// evaluation error, a silence.
type AlertEvent struct {
	At    time.Time         `json:"at"`
	State string            `json:"state"`
	Value *float64          `json:"value,omitempty"`
	Group map[string]string `json:"group,omitempty"`
	Error string            `json:"error,omitempty"`
}

// NotificationResult is one delivery (after its retries).
type NotificationResult struct {
	At time.Time `json:"at"`
	// Status is the notice's: firing, resolved or test.
	Status   string `json:"status"`
	OK       bool   `json:"ok"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error,omitempty"`
}

// AlertRecord is an alert with its status.
type AlertRecord struct {
	Alert
	AlertStatus
}

type alertsDocument struct {
	Version int            `json:"version"`
	Alerts  []*AlertRecord `json:"alerts"`
}

// AlertStore keeps alerts, their silences and history in memory and in
// <dir>/alerts.json. It is safe for concurrent use; every mutation but
// SetStatus(durable=false) is durable when it returns.
type AlertStore struct {
	dir string
	// set, when not nil, holds the alerts instead of dir (shared by
	// several processes; alerts_shared.go); loaded is when it was read.
	set    SharedSet
	lease  Lease
	loaded time.Time
	now    func() time.Time

	mu  sync.Mutex
	doc alertsDocument
}

// OpenAlerts reads (or creates) the alert store in dir (the metadata
// directory, beside dashboards.json).
func OpenAlerts(dir string) (*AlertStore, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create metadata directory %q: %w", dir, err)
	}
	s := &AlertStore{dir: dir, now: time.Now, doc: alertsDocument{Version: 1}}
	path := filepath.Join(dir, alertsFileName)
	raw, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("read alerts: %w", err)
	}
	if err := json.Unmarshal(raw, &s.doc); err != nil {
		return nil, fmt.Errorf("alerts file %q is not valid JSON (restore it or move it away): %w", path, err)
	}
	return s, nil
}

// List returns copies of every alert, by name.
func (s *AlertStore) List() []AlertRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.reloadLocked() // on failure: the alerts last read
	out := make([]AlertRecord, 0, len(s.doc.Alerts))
	for _, a := range s.doc.Alerts {
		out = append(out, cloneAlert(a))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// AlertSchedule is what the scheduler needs of each alert every tick.
type AlertSchedule struct {
	ID, Name, Interval string
}

// Schedules lists every alert's ID, name and interval without copying
// the rest (the scheduler looks for due alerts every second).
func (s *AlertStore) Schedules() []AlertSchedule {
	if s.lease != nil && !s.lease.Held() {
		return nil // another process evaluates the shared alerts
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set != nil && s.now().Sub(s.loaded) >= scheduleReloadEvery {
		_ = s.reloadLocked() // on failure: the alerts last read
	}
	out := make([]AlertSchedule, len(s.doc.Alerts))
	for i, a := range s.doc.Alerts {
		out[i] = AlertSchedule{ID: a.ID, Name: a.Name, Interval: a.Interval}
	}
	return out
}

// Get returns a copy of one alert.
func (s *AlertStore) Get(id string) (AlertRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return AlertRecord{}, err
	}
	i := s.index(id)
	if i < 0 {
		return AlertRecord{}, ErrNotFound
	}
	return cloneAlert(s.doc.Alerts[i]), nil
}

// Create stores a under a new ID with an empty status.
func (s *AlertStore) Create(a Alert) (AlertRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return AlertRecord{}, err
	}
	a.ID = newID()
	a.CreatedAt = s.now().UTC()
	a.UpdatedAt = a.CreatedAt
	rec := cloneAlert(&AlertRecord{Alert: normalizeAlert(a), AlertStatus: emptyStatus()})
	s.doc.Alerts = append(s.doc.Alerts, &rec)
	if err := s.persistLocked(&rec); err != nil {
		s.doc.Alerts = s.doc.Alerts[:len(s.doc.Alerts)-1]
		return AlertRecord{}, err
	}
	return cloneAlert(&rec), nil
}

// Update replaces the rule of alert id (ID and CreatedAt are kept). The
// status is reset when what is evaluated changed (keepStatus false), but
// the history is kept.
func (s *AlertStore) Update(id string, a Alert, keepStatus bool) (AlertRecord, error) {
	return s.mutate(id, func(r *AlertRecord) {
		a.ID, a.CreatedAt, a.UpdatedAt = id, r.CreatedAt, s.now().UTC()
		r.Alert = normalizeAlert(a)
		if !keepStatus {
			hist, notes := r.History, r.Notifications
			r.AlertStatus = emptyStatus()
			r.History, r.Notifications = hist, notes
		}
	})
}

// SetSilence sets (until non-nil) or clears alert id's silence and
// records it in the history.
func (s *AlertStore) SetSilence(id string, until *time.Time) (AlertRecord, error) {
	return s.mutate(id, func(r *AlertRecord) {
		r.SilenceUntil = until
		ev := AlertEvent{At: s.now().UTC(), State: "silenced"}
		if until == nil {
			ev.State = "unsilenced"
		}
		r.History = appendBounded(r.History, MaxAlertHistory, ev)
	})
}

// ErrRuleChanged is returned by SetStatusOf when the rule was updated
// since the given version: the status computed from the old rule is
// dropped.
var ErrRuleChanged = errors.New("alert rule changed during evaluation")

// ErrSilenceChanged is returned by SetStatusOf when the alert was
// silenced or unsilenced since the given version: the status (and the
// notices) computed with the old silence must be computed again.
var ErrSilenceChanged = errors.New("alert silence changed during evaluation")

// SetStatus replaces alert id's status with what f makes of it. durable
// false skips the fsync (routine evaluations that changed nothing but
// the last evaluation time); the next durable write saves it too.
func (s *AlertStore) SetStatus(id string, durable bool, f func(*AlertStatus)) (AlertRecord, error) {
	return s.SetStatusOf(id, nil, durable, f)
}

// SetStatusOf is SetStatus for the version of the alert the status was
// computed from (of: its UpdatedAt and SilenceUntil). If the rule was
// updated since, nothing changes and the error is ErrRuleChanged; if it
// was silenced or unsilenced since, ErrSilenceChanged; either way the
// alert as it is now is returned. A nil of skips the checks.
func (s *AlertStore) SetStatusOf(id string, of *Alert, durable bool, f func(*AlertStatus)) (AlertRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return AlertRecord{}, err
	}
	if s.set != nil {
		durable = true
	}
	i := s.index(id)
	if i < 0 {
		return AlertRecord{}, ErrNotFound
	}
	if of != nil {
		cur := s.doc.Alerts[i]
		if !cur.UpdatedAt.Equal(of.UpdatedAt) {
			return cloneAlert(cur), ErrRuleChanged
		}
		if (cur.SilenceUntil == nil) != (of.SilenceUntil == nil) || cur.SilenceUntil != nil && !cur.SilenceUntil.Equal(*of.SilenceUntil) {
			return cloneAlert(cur), ErrSilenceChanged
		}
	}
	old := cloneAlert(s.doc.Alerts[i])
	f(&s.doc.Alerts[i].AlertStatus)
	st := &s.doc.Alerts[i].AlertStatus
	st.History = trimTail(st.History, MaxAlertHistory)
	st.Notifications = trimTail(st.Notifications, MaxAlertNotifications)
	if durable {
		if err := s.persistLocked(s.doc.Alerts[i]); err != nil {
			s.doc.Alerts[i] = &old
			return AlertRecord{}, err
		}
	}
	return cloneAlert(s.doc.Alerts[i]), nil
}

// Delete removes alert id.
func (s *AlertStore) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return err
	}
	i := s.index(id)
	if i < 0 {
		return ErrNotFound
	}
	old := append([]*AlertRecord(nil), s.doc.Alerts...)
	s.doc.Alerts = append(s.doc.Alerts[:i:i], s.doc.Alerts[i+1:]...)
	if err := s.removeLocked(id); err != nil {
		s.doc.Alerts = old
		return err
	}
	return nil
}

func (s *AlertStore) mutate(id string, f func(*AlertRecord)) (AlertRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(); err != nil {
		return AlertRecord{}, err
	}
	i := s.index(id)
	if i < 0 {
		return AlertRecord{}, ErrNotFound
	}
	old := s.doc.Alerts[i]
	c := cloneAlert(old)
	f(&c)
	s.doc.Alerts[i] = &c
	if err := s.persistLocked(&c); err != nil {
		s.doc.Alerts[i] = old
		return AlertRecord{}, err
	}
	return cloneAlert(&c), nil
}

func (s *AlertStore) index(id string) int {
	for i, a := range s.doc.Alerts {
		if a.ID == id {
			return i
		}
	}
	return -1
}

func (s *AlertStore) saveLocked() error {
	raw, err := json.MarshalIndent(s.doc, "", "  ")
	if err != nil {
		return fmt.Errorf("BUG: encode alerts: %w", err)
	}
	return writeDurable(s.dir, alertsFileName, raw)
}

func emptyStatus() AlertStatus {
	return AlertStatus{Instances: []AlertInstance{}, History: []AlertEvent{}, Notifications: []NotificationResult{}}
}

func normalizeAlert(a Alert) Alert {
	if a.GroupBy == nil {
		a.GroupBy = []string{}
	}
	return a
}

// appendBounded appends v, dropping the oldest beyond max.
func appendBounded[T any](s []T, max int, v T) []T {
	return trimTail(append(s, v), max)
}

func trimTail[T any](s []T, max int) []T {
	if len(s) > max {
		s = append(s[:0:0], s[len(s)-max:]...)
	}
	return s
}

// cloneAlert deep-copies r through JSON (alerts are small).
func cloneAlert(r *AlertRecord) AlertRecord {
	raw, _ := json.Marshal(r)
	var c AlertRecord
	_ = json.Unmarshal(raw, &c)
	if c.Instances == nil {
		c.Instances = []AlertInstance{}
	}
	if c.History == nil {
		c.History = []AlertEvent{}
	}
	if c.Notifications == nil {
		c.Notifications = []NotificationResult{}
	}
	if c.GroupBy == nil {
		c.GroupBy = []string{}
	}
	return c
}
