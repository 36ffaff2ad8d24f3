package rules

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/model/labels"
	promrules "github.com/prometheus/prometheus/rules"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
	"github.com/overlook-dev/overlook/internal/prom/promstorage"
)

// fakeChannel records the notices it accepts; while failing it refuses
// them with a retryable error.
type fakeChannel struct {
	mu      sync.Mutex
	failing bool
	got     []notify.Message
	tries   int
}

func (f *fakeChannel) Notify(_ context.Context, m notify.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.failing {
		return &notify.DeliveryError{Err: errors.New("receiver answered 503"), Retryable: true}
	}
	f.got = append(f.got, m)
	return nil
}

// alertAt is an alert as the rules engine sends it: firing since fired,
// resolved at resolved (zero: still firing).
func alertAt(name, instance string, fired, resolved, sent time.Time) *promrules.Alert {
	return &promrules.Alert{State: promrules.StateFiring,
		Labels:      labels.FromStrings("alertname", name, "instance", instance),
		Annotations: labels.FromStrings("summary", name+" on "+instance),
		ActiveAt:    fired, FiredAt: fired, ResolvedAt: resolved, LastSentAt: sent, ValidUntil: sent.Add(4 * time.Minute)}
}

// step is one evaluation: the alerts the engine sends, then a flush.
type step struct {
	at      time.Duration // since t0
	alerts  []*promrules.Alert
	failing bool
	// want: the notices delivered by this flush, as "status:alertname/instance,…".
	want []string
}

func summary(m notify.Message) string {
	parts := make([]string, 0, len(m.Alerts))
	for _, a := range m.Alerts {
		parts = append(parts, a.Labels["alertname"]+"/"+a.Labels["instance"])
	}
	return m.Status + ":" + strings.Join(parts, ",")
}

func TestDispatcher(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	never := time.Time{}
	cases := []struct {
		name    string
		groupBy []string
		steps   []step
		// failed: overlook_alert_notifications_total{result="failed"} at the end.
		failed float64
	}{
		{name: "firing: one notice, unchanged: none until repeat_interval", steps: []step{
			{at: 0, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(0))}, want: []string{"firing:High/a"}},
			{at: 15 * time.Second, want: nil},
			{at: time.Minute, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(time.Minute))}, want: nil},
			{at: time.Hour, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(time.Hour))}, want: []string{"firing:High/a"}},
		}},
		{name: "resolved: one resolved notice, resends of it ignored", steps: []step{
			{at: 0, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(0))}, want: []string{"firing:High/a"}},
			{at: 30 * time.Second, alerts: []*promrules.Alert{alertAt("High", "a", at(0), at(30*time.Second), at(30*time.Second))},
				want: []string{"resolved:High/a"}},
			{at: 90 * time.Second, alerts: []*promrules.Alert{alertAt("High", "a", at(0), at(30*time.Second), at(90*time.Second))}, want: nil},
		}},
		{name: "two groups: two notices", steps: []step{
			{at: 0, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(0)), alertAt("Low", "a", at(0), never, at(0)),
				alertAt("High", "b", at(0), never, at(0))}, want: []string{"firing:High/a,High/b", "firing:Low/a"}},
		}},
		{name: "a new alert in a notified group: a firing notice with both", steps: []step{
			{at: 0, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(0))}, want: []string{"firing:High/a"}},
			{at: 15 * time.Second, alerts: []*promrules.Alert{alertAt("High", "b", at(15*time.Second), never, at(15*time.Second))},
				want: []string{"firing:High/a,High/b"}},
		}},
		{name: "group_by instance", groupBy: []string{"instance"}, steps: []step{
			{at: 0, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(0)), alertAt("Low", "a", at(0), never, at(0)),
				alertAt("High", "b", at(0), never, at(0))}, want: []string{"firing:High/a,Low/a", "firing:High/b"}},
		}},
		{name: "failed delivery: counted, retried at the next evaluation", failed: 2, steps: []step{
			{at: 0, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(0))}, failing: true, want: nil},
			{at: 15 * time.Second, want: []string{"firing:High/a"}},
			{at: 30 * time.Second, alerts: []*promrules.Alert{alertAt("High", "a", at(0), at(30*time.Second), at(30*time.Second))},
				failing: true, want: nil},
			{at: 45 * time.Second, want: []string{"resolved:High/a"}},
			{at: time.Minute, want: nil},
		}},
		{name: "resolved before any firing notice was delivered: no resolved notice", failed: 1, steps: []step{
			{at: 0, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(0))}, failing: true, want: nil},
			{at: 15 * time.Second, alerts: []*promrules.Alert{alertAt("High", "a", at(0), at(15*time.Second), at(15*time.Second))}, want: nil},
		}},
		{name: "an alert no longer sent (rule removed) resolves when it expires", steps: []step{
			{at: 0, alerts: []*promrules.Alert{alertAt("High", "a", at(0), never, at(0))}, want: []string{"firing:High/a"}},
			{at: 3 * time.Minute, want: nil},
			{at: 5 * time.Minute, want: []string{"resolved:High/a"}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			deliver := notify.NewDeliverer(notify.RetryPolicy{Attempts: 2}, reg)
			deliver.SetSleep(func(context.Context, time.Duration) error { return nil })
			cfg := Config{ExternalURL: "http://overlook.example:8080", GroupBy: c.groupBy, RepeatInterval: time.Hour}.withDefaults()
			d, err := newDispatcher(Channel{Name: "ops", ChannelConfig: notify.ChannelConfig{Type: notify.TypeWebhook, URL: "http://127.0.0.1:1/hook"}},
				cfg, labels.FromStrings("cluster", "prod"), deliver, nil, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			fc := &fakeChannel{}
			d.n = fc
			var now time.Time
			d.now = func() time.Time { return now }
			for i, s := range c.steps {
				now = at(s.at)
				fc.failing = s.failing
				before := len(fc.got)
				d.observe("x > 1", s.alerts)
				d.flush(context.Background())
				var got []string
				for _, m := range fc.got[before:] {
					got = append(got, summary(m))
				}
				if strings.Join(got, " ") != strings.Join(s.want, " ") {
					t.Fatalf("step %d (%s): notices %q, want %q", i, s.at, got, s.want)
				}
			}
			if got := testutil.ToFloat64(deliver.Results().WithLabelValues(notify.TypeWebhook, "failed")); got != c.failed {
				t.Errorf("overlook_alert_notifications_total{channel=webhook,result=failed} = %v, want %v", got, c.failed)
			}
		})
	}
}

// TestDispatcherPayload checks the Alertmanager webhook payload of a
// firing and a resolved notice.
func TestDispatcherPayload(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	deliver := notify.NewDeliverer(notify.RetryPolicy{}, nil)
	cfg := Config{ExternalURL: "http://overlook.example:8080"}.withDefaults()
	d, err := newDispatcher(Channel{Name: "ops", ChannelConfig: notify.ChannelConfig{Type: notify.TypeWebhook, URL: "http://127.0.0.1:1/hook"}},
		cfg, labels.FromStrings("cluster", "prod"), deliver, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	fc := &fakeChannel{}
	d.n = fc
	now := t0
	d.now = func() time.Time { return now }
	d.observe("queue_depth > 10", []*promrules.Alert{alertAt("High", "a", t0, time.Time{}, t0)})
	d.flush(context.Background())
	now = t0.Add(time.Minute)
	d.observe("queue_depth > 10", []*promrules.Alert{alertAt("High", "a", t0, now, now)})
	d.flush(context.Background())
	if len(fc.got) != 2 {
		t.Fatalf("%d notices, want 2", len(fc.got))
	}
	for i, want := range []struct {
		status string
		endsAt time.Time
	}{{notify.StatusFiring, time.Time{}}, {notify.StatusResolved, now}} {
		m := fc.got[i]
		if m.Status != want.status || m.Receiver != "overlook/ops" || m.GroupLabels["alertname"] != "High" || len(m.GroupLabels) != 1 ||
			m.Version != "4" || m.ExternalURL != "http://overlook.example:8080" || len(m.Alerts) != 1 {
			t.Fatalf("notice %d: %+v", i, m)
		}
		a := m.Alerts[0]
		if a.Status != want.status || a.Labels["cluster"] != "prod" || a.Labels["alertname"] != "High" ||
			a.Annotations["summary"] != "High on a" || !a.StartsAt.Equal(t0) || !a.EndsAt.Equal(want.endsAt) ||
			a.GeneratorURL != "http://overlook.example:8080/graph?g0.expr=queue_depth+%3E+10&g0.tab=1" || a.Fingerprint == "" {
			t.Errorf("notice %d alert: %+v", i, a)
		}
	}
}

// TestDelivererSharedRegistry: the rules engine's channels and the
// search alerts count deliveries in one overlook_alert_notifications_total.
func TestDelivererSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	first := notify.NewDeliverer(notify.RetryPolicy{}, reg)
	second := notify.NewDeliverer(notify.RetryPolicy{}, reg)
	if _, err := second.Deliver(context.Background(), notify.TypeSlack, &fakeChannel{}, notify.Message{}); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(first.Results().WithLabelValues(notify.TypeSlack, "ok")); got != 1 {
		t.Errorf("the first Deliverer's counter = %v, want 1 (shared)", got)
	}
}

// TestEngineChannels: the engine's evaluations reach a webhook channel
// (no Alertmanager configured) as an Alertmanager webhook payload, and
// the delivery counter outlives the engine (it is shared with the search
// alerts).
func TestEngineChannels(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.yml"), []byte("groups:\n  - name: g\n    rules:\n      - alert: Always\n        expr: vector(1) > 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []notify.Message
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m notify.Message
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("payload: %v", err)
		}
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer srv.Close()
	reg := prometheus.NewRegistry()
	e, err := New(Options{Config: Config{RuleFiles: []string{filepath.Join(dir, "*.yml")}, EvaluationInterval: time.Minute,
		ExternalURL: "http://overlook.test:8080", ExternalLabels: map[string]string{"cluster": "prod"},
		Channels: []Channel{{Name: "ops", ChannelConfig: notify.ChannelConfig{Type: notify.TypeWebhook, URL: srv.URL}}}},
		QueryEngine: env.api.QueryEngine(), Parser: env.api.Parser(), Queryable: env.api.Queryable(),
		Appendable: promstorage.NewAppendable(env.st), Registerer: reg, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	evalAll(e, time.Now())
	e.channels[0].flush(context.Background())
	e.Stop()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Status != notify.StatusFiring || got[0].Receiver != "overlook/ops" || len(got[0].Alerts) != 1 ||
		got[0].Alerts[0].Labels["alertname"] != "Always" || got[0].Alerts[0].Labels["cluster"] != "prod" {
		t.Fatalf("webhook got %+v, want one firing notice of Always with cluster=prod", got)
	}
	n, err := testutil.GatherAndCount(reg, "overlook_alert_notifications_total")
	if err != nil || n != 6 {
		t.Errorf("overlook_alert_notifications_total after Stop: %d series (%v), want 6 (kept)", n, err)
	}
	st := e.Channels()
	if len(st) != 1 || st[0].Name != "ops" || st[0].Delivered != 1 || st[0].Failed != 0 || st[0].Last == nil ||
		!st[0].Last.OK || st[0].Last.Status != notify.StatusFiring || st[0].LastError != nil {
		t.Errorf("channel status %+v, want one delivered firing notice", st)
	}
}

// TestChannelStatusShowsFailure: a channel whose receiver refuses every
// notice reports the failure (count, error, attempts) for the Alerts page.
func TestChannelStatusShowsFailure(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.yml"), []byte("groups:\n  - name: g\n    rules:\n      - alert: Always\n        expr: vector(1) > 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	defer srv.Close()
	e, err := New(Options{Config: Config{RuleFiles: []string{filepath.Join(dir, "*.yml")}, EvaluationInterval: time.Minute,
		Channels: []Channel{{Name: "chat", ChannelConfig: notify.ChannelConfig{Type: notify.TypeWebhook, URL: srv.URL + "/secret-path"}}}},
		QueryEngine: env.api.QueryEngine(), Parser: env.api.Parser(), Queryable: env.api.Queryable(),
		Appendable: promstorage.NewAppendable(env.st), Registerer: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	evalAll(e, time.Now())
	e.channels[0].flush(context.Background())
	rec := httptest.NewRecorder()
	e.ChannelsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/alerts/rule-channels", nil))
	var body struct {
		Channels []ChannelStatus `json:"channels"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Channels) != 1 {
		t.Fatalf("channels %s", rec.Body.String())
	}
	c := body.Channels[0]
	if c.Failed != 1 || c.Delivered != 0 || c.LastError == nil || c.LastError.OK || !strings.Contains(c.LastError.Error, "404") ||
		strings.Contains(c.LastError.Error, "secret-path") || c.Last != c.LastError && *c.Last != *c.LastError {
		t.Errorf("status %s, want one failed delivery naming the 404 without the URL's path", rec.Body.String())
	}
	// "Send test notification": refused → 502 with the answer, recorded.
	for _, tc := range []struct {
		name string
		code int
		want string
	}{{"chat", http.StatusBadGateway, "404"}, {"nope", http.StatusNotFound, "no rule channel named nope"}} {
		mux := http.NewServeMux()
		mux.Handle("POST /api/alerts/rule-channels/{name}/test", e.TestHandler())
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/alerts/rule-channels/"+tc.name+"/test", nil))
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("test notice to %q: %d %s, want %d naming %q", tc.name, rec.Code, rec.Body.String(), tc.code, tc.want)
		}
	}
	if c := e.Channels()[0]; c.Failed != 2 {
		t.Errorf("after the test notice: %d failed, want 2", c.Failed)
	}
}

// TestChannelTestNotice: the test notice reaches a working receiver with
// the payload's shape and a test="true" label.
func TestChannelTestNotice(t *testing.T) {
	env := newTestEnv(t)
	var got []notify.Message
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m notify.Message
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer srv.Close()
	e, err := New(Options{Config: Config{EvaluationInterval: time.Minute, ExternalLabels: map[string]string{"cluster": "prod"},
		Channels: []Channel{{Name: "ops", ChannelConfig: notify.ChannelConfig{Type: notify.TypeWebhook, URL: srv.URL}}}},
		QueryEngine: env.api.QueryEngine(), Parser: env.api.Parser(), Queryable: env.api.Queryable(),
		Appendable: promstorage.NewAppendable(env.st), Registerer: prometheus.NewRegistry(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	attempts, ok, err := e.SendTest(httptest.NewRequest(http.MethodPost, "/", nil), "ops")
	if !ok || err != nil || attempts != 1 {
		t.Fatalf("SendTest: attempts %d ok %v err %v", attempts, ok, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Receiver != "overlook/ops" || len(got[0].Alerts) != 1 || got[0].Alerts[0].Labels["test"] != "true" ||
		got[0].Alerts[0].Labels["cluster"] != "prod" || got[0].Alerts[0].Labels["alertname"] != "TestNotification" {
		t.Fatalf("receiver got %+v", got)
	}
	if c := e.Channels()[0]; c.Delivered != 1 || c.Last == nil || !c.Last.OK {
		t.Errorf("status %+v", c)
	}
}
