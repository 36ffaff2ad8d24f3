// Package search evaluates alerts on searches (the count of matching logs
// or spans per interval, optionally grouped) and on dashboard chart tiles
// (every series of the tile's chart) on a schedule, keeps their state in
// the metadata store and sends firing and resolved notices through
// internal/alerting/notify.
package search

import (
	"errors"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/query"
)

// States of an alert (GET /api/alerts/{id} "state") and of its instances.
const (
	StateOK       = "ok"
	StateAlert    = "alert"
	StateSilenced = "silenced"
	StateError    = "error"
	// StateNotificationFailed is the history entry of a notice not
	// delivered after its retries (never an alert's state).
	StateNotificationFailed = "notification_failed"
)

// Sample is one series' value in one evaluation: NaN when the series had
// nothing to aggregate.
type Sample struct {
	Group map[string]string
	Value float64
}

// samplesOf extracts one value per series from a table chart. Search
// alerts count rows, so no rows is a count of 0 (an ungrouped search
// always has its one sample); a tile's series without points has no
// value. The "Other" series (groups beyond the chart's limit) is left out.
func samplesOf(a *meta.Alert, res *query.ChartResult) []Sample {
	var out []Sample
	for _, s := range res.Series {
		if s.Other {
			continue
		}
		v := math.NaN()
		for _, p := range s.Points {
			if !math.IsNaN(p.V) {
				v = p.V
			}
		}
		g := maps.Clone(s.Group)
		if isTile(a) {
			if g == nil {
				g = map[string]string{}
			}
			g["series"] = s.Name
		}
		if !isTile(a) && math.IsNaN(v) {
			v = 0
		}
		out = append(out, Sample{Group: g, Value: v})
	}
	if !isTile(a) && len(a.GroupBy) == 0 && len(out) == 0 {
		out = append(out, Sample{Value: 0})
	}
	return out
}

func isTile(a *meta.Alert) bool { return a.DashboardID != "" }

// Outcome is what one evaluation changed.
type Outcome struct {
	Status meta.AlertStatus
	// Firing are the instances whose firing notice is due (new, or a
	// repeat, or one whose earlier delivery failed); Resolved those whose
	// firing was notified and that resolved now.
	Firing, Resolved []meta.AlertInstance
	// Changed tells that state or history changed (save durably).
	Changed bool
}

// Step advances an alert's status by one evaluation at now: samples are
// its values (ignored when evalErr is set), repeat the repeat interval of
// firing notices. The History it returns is prev's followed by this
// evaluation's events (Evaluate relies on it).
func Step(a *meta.Alert, prev meta.AlertStatus, samples []Sample, evalErr error, now time.Time, repeat time.Duration) Outcome {
	st := prev
	st.LastEvaluation = &now
	st.Instances = slices.Clone(prev.Instances)
	st.History = slices.Clone(prev.History)
	out := Outcome{}
	silenced := a.SilenceUntil != nil && now.Before(*a.SilenceUntil)
	if evalErr != nil {
		msg := evalErr.Error()
		if prev.State != StateError || prev.LastError != msg {
			st.History = append(st.History, meta.AlertEvent{At: now, State: StateError, Error: msg})
			out.Changed = true
		}
		st.State, st.LastError = StateError, msg
		out.Status = st
		return out
	}
	st.LastError = ""
	if prev.State == StateError {
		out.Changed = true
	}
	byKey := map[string]Sample{}
	for _, s := range samples {
		byKey[groupKey(s.Group)] = s
	}
	// Previously firing instances: still breaching, or resolved.
	var kept []meta.AlertInstance
	for _, in := range st.Instances {
		k := groupKey(in.Group)
		s, ok := byKey[k]
		if !ok {
			s = Sample{Group: in.Group, Value: math.NaN()}
			if !isTile(a) {
				s.Value = 0 // a group without matching rows counted 0
			}
		}
		delete(byKey, k)
		if breaches(a, s.Value) {
			in.Value = s.Value
			kept = append(kept, in)
			continue
		}
		st.History = append(st.History, meta.AlertEvent{At: now, State: StateOK, Value: valuePtr(s.Value), Group: in.Group})
		out.Changed = true
		if in.Notified != nil && !silenced {
			in.Value = s.Value
			out.Resolved = append(out.Resolved, in)
		}
	}
	// New instances, in a stable order.
	keys := slices.Sorted(maps.Keys(byKey))
	for _, k := range keys {
		s := byKey[k]
		if !breaches(a, s.Value) {
			continue
		}
		in := meta.AlertInstance{Group: s.Group, State: StateAlert, Value: s.Value, Since: now}
		kept = append(kept, in)
		st.History = append(st.History, meta.AlertEvent{At: now, State: StateAlert, Value: valuePtr(s.Value), Group: s.Group})
		out.Changed = true
	}
	if kept == nil {
		kept = []meta.AlertInstance{}
	}
	st.Instances = kept
	st.LastValue = extreme(a, samples)
	for _, in := range kept {
		if !silenced && (in.Notified == nil || now.Sub(*in.Notified) >= repeat) {
			out.Firing = append(out.Firing, in)
		}
	}
	switch {
	case silenced:
		st.State = StateSilenced
	case len(kept) > 0:
		st.State = StateAlert
	default:
		st.State = StateOK
	}
	if st.State != prev.State {
		out.Changed = true
	}
	out.Status = st
	return out
}

// extreme is the value closest to breaching: the smallest for below and
// below_or_equal, else the largest (nil without values).
func extreme(a *meta.Alert, samples []Sample) *float64 {
	var best *float64
	for _, s := range samples {
		if math.IsNaN(s.Value) {
			continue
		}
		if best == nil || lowFires(a) == (s.Value < *best) {
			best = valuePtr(s.Value)
		}
	}
	return best
}

func valuePtr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// groupKey identifies a group: its sorted name=value pairs.
func groupKey(g map[string]string) string {
	keys := make([]string, 0, len(g))
	for k := range g {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "\x00" + g[k] + "\x00")
	}
	return b.String()
}

// errTimeout marks an evaluation cut by its timeout.
var errTimeout = errors.New("evaluation timed out")
