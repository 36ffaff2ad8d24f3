package search

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/query"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func grp(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestStep(t *testing.T) {
	notified := t0.Add(-time.Minute)
	firingNotified := meta.AlertStatus{State: StateAlert, Instances: []meta.AlertInstance{
		{State: StateAlert, Value: 12, Since: t0.Add(-time.Minute), Notified: &notified}}}
	firingSvcA := meta.AlertStatus{State: StateAlert, Instances: []meta.AlertInstance{
		{Group: grp("ServiceName", "a"), State: StateAlert, Value: 12, Since: t0.Add(-time.Minute), Notified: &notified}}}
	silence := t0.Add(time.Hour)
	type want struct {
		state            string
		instances        int
		firing, resolved int
		history          []string // states of the new history entries
		changed          bool
		lastValue        float64 // NaN: nil
	}
	cases := []struct {
		name    string
		alert   meta.Alert
		prev    meta.AlertStatus
		samples []Sample
		err     error
		want    want
	}{
		{name: "above: below threshold stays ok",
			alert: meta.Alert{ThresholdType: "above", Threshold: 10}, prev: meta.AlertStatus{State: StateOK},
			samples: []Sample{{Value: 9}},
			want:    want{state: StateOK, lastValue: 9}},
		{name: "above: at threshold fires (HyperDX: value >= threshold)",
			alert: meta.Alert{ThresholdType: "above", Threshold: 10}, prev: meta.AlertStatus{State: StateOK},
			samples: []Sample{{Value: 10}},
			want:    want{state: StateAlert, instances: 1, firing: 1, history: []string{StateAlert}, changed: true, lastValue: 10}},
		{name: "above: still firing and notified sends nothing",
			alert: meta.Alert{ThresholdType: "above", Threshold: 10}, prev: firingNotified,
			samples: []Sample{{Value: 15}},
			want:    want{state: StateAlert, instances: 1, lastValue: 15}},
		{name: "above: drops back, resolved notice",
			alert: meta.Alert{ThresholdType: "above", Threshold: 10}, prev: firingNotified,
			samples: []Sample{{Value: 2}},
			want:    want{state: StateOK, resolved: 1, history: []string{StateOK}, changed: true, lastValue: 2}},
		{name: "below: zero count fires",
			alert: meta.Alert{ThresholdType: "below", Threshold: 1}, prev: meta.AlertStatus{State: StateOK},
			samples: []Sample{{Value: 0}},
			want:    want{state: StateAlert, instances: 1, firing: 1, history: []string{StateAlert}, changed: true, lastValue: 0}},
		{name: "below: no value never fires",
			alert: meta.Alert{ThresholdType: "below", Threshold: 1, DashboardID: "d", TileID: "t"}, prev: meta.AlertStatus{State: StateOK},
			samples: []Sample{{Group: grp("series", "p95"), Value: math.NaN()}},
			want:    want{state: StateOK, lastValue: math.NaN()}},
		{name: "grouped: one instance per breaching group",
			alert: meta.Alert{ThresholdType: "above", Threshold: 5, GroupBy: []string{"ServiceName"}}, prev: meta.AlertStatus{State: StateOK},
			samples: []Sample{{Group: grp("ServiceName", "a"), Value: 6}, {Group: grp("ServiceName", "b"), Value: 1}, {Group: grp("ServiceName", "c"), Value: 9}},
			want:    want{state: StateAlert, instances: 2, firing: 2, history: []string{StateAlert, StateAlert}, changed: true, lastValue: 9}},
		{name: "grouped: a firing group with no rows counts 0 and resolves",
			alert: meta.Alert{ThresholdType: "above", Threshold: 5, GroupBy: []string{"ServiceName"}}, prev: firingSvcA,
			samples: []Sample{{Group: grp("ServiceName", "b"), Value: 1}},
			want:    want{state: StateOK, resolved: 1, history: []string{StateOK}, changed: true, lastValue: 1}},
		{name: "silenced: fires without a notice",
			alert: meta.Alert{ThresholdType: "above", Threshold: 10, SilenceUntil: &silence}, prev: meta.AlertStatus{State: StateOK},
			samples: []Sample{{Value: 20}},
			want:    want{state: StateSilenced, instances: 1, history: []string{StateAlert}, changed: true, lastValue: 20}},
		{name: "silenced: resolves without a notice",
			alert: meta.Alert{ThresholdType: "above", Threshold: 10, SilenceUntil: &silence}, prev: firingNotified,
			samples: []Sample{{Value: 0}},
			want:    want{state: StateSilenced, history: []string{StateOK}, changed: true, lastValue: 0}},
		{name: "error: state error, instances kept, history once",
			alert: meta.Alert{ThresholdType: "above", Threshold: 10}, prev: firingNotified,
			err:  errors.New("query: boom"),
			want: want{state: StateError, instances: 1, history: []string{StateError}, changed: true, lastValue: 12}},
		{name: "error again with the same message adds no history",
			alert: meta.Alert{ThresholdType: "above", Threshold: 10}, prev: meta.AlertStatus{State: StateError, LastError: "query: boom"},
			err:  errors.New("query: boom"),
			want: want{state: StateError, lastValue: math.NaN()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.prev.LastValue == nil && len(c.prev.Instances) > 0 {
				v := c.prev.Instances[0].Value
				c.prev.LastValue = &v
			}
			out := Step(&c.alert, c.prev, c.samples, c.err, t0, DefaultRepeatInterval)
			st := out.Status
			if st.State != c.want.state {
				t.Errorf("state = %q, want %q", st.State, c.want.state)
			}
			if len(st.Instances) != c.want.instances {
				t.Errorf("instances = %d, want %d", len(st.Instances), c.want.instances)
			}
			if len(out.Firing) != c.want.firing || len(out.Resolved) != c.want.resolved {
				t.Errorf("notices firing %d resolved %d, want %d and %d", len(out.Firing), len(out.Resolved), c.want.firing, c.want.resolved)
			}
			added := st.History[len(c.prev.History):]
			if len(added) != len(c.want.history) {
				t.Fatalf("history added %+v, want states %v", added, c.want.history)
			}
			for i, h := range added {
				if h.State != c.want.history[i] || !h.At.Equal(t0) {
					t.Errorf("history[%d] = %+v, want state %s at %s", i, h, c.want.history[i], t0)
				}
			}
			if out.Changed != c.want.changed {
				t.Errorf("changed = %v, want %v", out.Changed, c.want.changed)
			}
			switch {
			case math.IsNaN(c.want.lastValue) && st.LastValue != nil:
				t.Errorf("lastValue = %v, want none", *st.LastValue)
			case !math.IsNaN(c.want.lastValue) && (st.LastValue == nil || *st.LastValue != c.want.lastValue):
				t.Errorf("lastValue = %v, want %v", st.LastValue, c.want.lastValue)
			}
			if c.err != nil && st.LastError != c.err.Error() {
				t.Errorf("lastError = %q", st.LastError)
			}
		})
	}
}

func TestStepRepeatAndFailedDelivery(t *testing.T) {
	a := meta.Alert{ThresholdType: "above", Threshold: 1}
	long := t0.Add(-5 * time.Hour)
	recent := t0.Add(-time.Hour)
	for _, c := range []struct {
		name     string
		notified *time.Time
		firing   int
	}{
		{"never delivered (failed earlier): sent again", nil, 1},
		{"delivered an hour ago: not repeated before 4h", &recent, 0},
		{"delivered 5h ago: repeated", &long, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			prev := meta.AlertStatus{State: StateAlert, Instances: []meta.AlertInstance{{State: StateAlert, Value: 3, Since: long, Notified: c.notified}}}
			out := Step(&a, prev, []Sample{{Value: 3}}, nil, t0, DefaultRepeatInterval)
			if len(out.Firing) != c.firing {
				t.Fatalf("firing notices = %d, want %d", len(out.Firing), c.firing)
			}
			if !out.Status.Instances[0].Since.Equal(long) {
				t.Errorf("since changed: %s", out.Status.Instances[0].Since)
			}
		})
	}
}

func TestSamplesOf(t *testing.T) {
	res := &query.ChartResult{Series: []query.Series{
		{Name: "a", Group: grp("ServiceName", "a"), Points: []query.Point{{T: 1, V: 4}}},
		{Name: "b", Group: grp("ServiceName", "b"), Points: []query.Point{{T: 1, V: math.NaN()}}},
		{Name: "Other", Other: true, Points: []query.Point{{T: 1, V: 100}}},
	}}
	search := meta.Alert{Source: "logs", GroupBy: []string{"ServiceName"}}
	got := samplesOf(&search, res)
	if len(got) != 2 || got[0].Value != 4 || got[1].Value != 0 {
		t.Fatalf("search samples = %+v, want a=4, b=0 (no Other)", got)
	}
	tile := meta.Alert{DashboardID: "d", TileID: "t"}
	got = samplesOf(&tile, res)
	if len(got) != 2 || got[0].Group["series"] != "a" || !math.IsNaN(got[1].Value) {
		t.Fatalf("tile samples = %+v, want series a=4, b=NaN", got)
	}
	empty := samplesOf(&meta.Alert{Source: "logs"}, &query.ChartResult{})
	if len(empty) != 1 || empty[0].Value != 0 {
		t.Fatalf("ungrouped search without series = %+v, want one 0", empty)
	}
}

func TestBreaches(t *testing.T) {
	five := 5.0
	cases := []struct {
		typ       string
		max       *float64
		threshold float64
		fires     []float64
		quiet     []float64
		words     string
	}{
		{"above", nil, 2, []float64{2, 3}, []float64{1.9, math.NaN()}, "at or above 2"},
		{"below", nil, 2, []float64{1.9, 0}, []float64{2, 3, math.NaN()}, "below 2"},
		{"above_exclusive", nil, 2, []float64{2.1}, []float64{2}, "above 2"},
		{"below_or_equal", nil, 2, []float64{2, 1}, []float64{2.1}, "at or below 2"},
		{"equal", nil, 2, []float64{2}, []float64{1, 3}, "equal to 2"},
		{"not_equal", nil, 2, []float64{1, 3}, []float64{2, math.NaN()}, "not equal to 2"},
		{"between", &five, 2, []float64{2, 3, 5}, []float64{1.9, 5.1}, "between 2 and 5"},
		{"not_between", &five, 2, []float64{1.9, 5.1}, []float64{2, 5}, "outside 2 to 5"},
	}
	for _, c := range cases {
		a := meta.Alert{ThresholdType: c.typ, Threshold: c.threshold, ThresholdMax: c.max}
		for _, v := range c.fires {
			if !breaches(&a, v) {
				t.Errorf("%s %v: %v does not fire", c.typ, c.threshold, v)
			}
		}
		for _, v := range c.quiet {
			if breaches(&a, v) {
				t.Errorf("%s %v: %v fires", c.typ, c.threshold, v)
			}
		}
		if got := condition(&a); got != c.words {
			t.Errorf("condition(%s) = %q, want %q", c.typ, got, c.words)
		}
	}
}

func TestNormalizeThresholdMax(t *testing.T) {
	ch := meta.Channel{Type: "webhook", URL: "http://x"}
	one, ten := 1.0, 10.0
	for _, c := range []struct {
		typ   string
		max   *float64
		field string
	}{
		{"between", nil, "thresholdMax"},
		{"not_between", &one, "thresholdMax"}, // below threshold 5
		{"above", &ten, "thresholdMax"},
		{"between", &ten, ""},
	} {
		_, err := Normalize(meta.Alert{Name: "n", Source: "logs", Interval: "1m", Channel: ch, ThresholdType: c.typ, Threshold: 5, ThresholdMax: c.max}, nil, query.Limits{}.WithDefaults())
		ve, _ := err.(*ValidationError)
		if (c.field == "" && err != nil) || (c.field != "" && (ve == nil || ve.Field != c.field)) {
			t.Errorf("%s max %v: %v, want field %q", c.typ, c.max, err, c.field)
		}
	}
}
