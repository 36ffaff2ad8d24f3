package rules

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
)

// ChannelStatus is what a rule-alert channel last did, so that a failed
// delivery is visible in the UI (GET /api/alerts/rule-channels), not only
// on /metrics and in the log.
type ChannelStatus struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Delivered int    `json:"delivered"`
	Failed    int    `json:"failed"`
	// Last is the latest delivery attempt (nil: none yet).
	Last *Delivery `json:"last,omitempty"`
	// LastError is the latest failed delivery (nil: none failed).
	LastError *Delivery `json:"lastError,omitempty"`
}

// Delivery is one notice's delivery outcome.
type Delivery struct {
	At       time.Time `json:"at"`
	Status   string    `json:"status"` // firing | resolved
	Group    string    `json:"group"`
	OK       bool      `json:"ok"`
	Attempts int       `json:"attempts"`
	Error    string    `json:"error,omitempty"`
}

// record notes a delivery outcome.
func (d *dispatcher) record(n notice, at time.Time, attempts int, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := &Delivery{At: at.UTC(), Status: n.status, Group: n.msg.GroupKey, OK: err == nil, Attempts: attempts}
	if err != nil {
		r.Error = err.Error()
		d.status.Failed++
		d.status.LastError = r
	} else {
		d.status.Delivered++
	}
	d.status.Last = r
}

// snapshot returns a copy of the channel's status.
func (d *dispatcher) snapshot() ChannelStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.status
	s.Name, s.Type = d.name, d.typ
	if s.Last != nil {
		l := *s.Last
		s.Last = &l
	}
	if s.LastError != nil {
		l := *s.LastError
		s.LastError = &l
	}
	return s
}

// Channels lists the built-in channels of rule alerts with their last
// delivery (alerting::channels; empty when none is configured).
func (e *Engine) Channels() []ChannelStatus {
	out := make([]ChannelStatus, 0, len(e.channels))
	for _, d := range e.channels {
		out = append(out, d.snapshot())
	}
	return out
}

// ChannelsHandler serves GET /api/alerts/rule-channels:
// {"channels":[ChannelStatus...]}.
func (e *Engine) ChannelsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"channels": e.Channels()})
	})
}

// SendTest delivers a test notice (a firing alert "TestNotification",
// labelled test="true") to the rule channel name, with the channel's
// retries; the outcome is recorded like any delivery. ok=false: no such
// channel.
func (e *Engine) SendTest(r *http.Request, name string) (attempts int, ok bool, err error) {
	for _, d := range e.channels {
		if d.name != name {
			continue
		}
		now := d.now()
		lbls := map[string]string{"alertname": "TestNotification", "test": "true"}
		d.extLbls.Range(func(l labels.Label) { lbls[l.Name] = l.Value })
		msg := notify.NewMessage("overlook/"+d.name, notify.StatusFiring, d.extURL, map[string]string{"alertname": "TestNotification"},
			[]notify.Alert{{Status: notify.StatusFiring, Labels: lbls,
				Annotations: map[string]string{"summary": "Test notification from overlook's rule channel " + d.name},
				StartsAt:    now.UTC(), Fingerprint: notify.Fingerprint(lbls)}})
		attempts, err := d.deliver.Deliver(r.Context(), d.typ, d.n, msg)
		d.record(notice{status: notify.StatusFiring, msg: msg}, d.now(), attempts, err)
		return attempts, true, err
	}
	return 0, false, nil
}

// TestHandler serves POST /api/alerts/rule-channels/{name}/test:
// 200 {"ok":true,"attempts":N}; 502 with the receiver's answer when the
// notice was refused; 404 for an unknown channel.
func (e *Engine) TestHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		attempts, ok, err := e.SendTest(r, name)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case !ok:
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(map[string]any{"error": "no rule channel named " + name + " (extensions::overlook::alerting::channels)"})
		case err != nil:
			w.WriteHeader(http.StatusBadGateway)
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "attempts": attempts, "error": err.Error()})
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "attempts": attempts})
		}
	})
}
