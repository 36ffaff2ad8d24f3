package search

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

// fakeCharter answers every chart with value (one ungrouped series), or
// blocks until the query's context ends when block is set.
type fakeCharter struct {
	mu    sync.Mutex
	value float64
	block bool
	calls []store.ChartParams
}

func (f *fakeCharter) Chart(ctx context.Context, p store.ChartParams) (*query.ChartResult, error) {
	f.mu.Lock()
	f.calls = append(f.calls, p)
	v, block := f.value, f.block
	f.mu.Unlock()
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &query.ChartResult{Series: []query.Series{{Name: "count", Points: []query.Point{{T: p.Start.UnixMilli(), V: v}}}}}, nil
}

func (f *fakeCharter) set(v float64, block bool) {
	f.mu.Lock()
	f.value, f.block = v, block
	f.mu.Unlock()
}

// hook is a webhook receiver recording the Alertmanager payloads.
type hook struct {
	mu   sync.Mutex
	code int
	got  []notify.Message
}

func newHook(t *testing.T) (*hook, string) {
	h := &hook{code: 200}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m notify.Message
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("webhook body %s: %v", b, err)
		}
		h.mu.Lock()
		h.got = append(h.got, m)
		code := h.code
		h.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	return h, srv.URL
}

func (h *hook) messages() []notify.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]notify.Message(nil), h.got...)
}

func newTestScheduler(t *testing.T, ch store.Charter, reg prometheus.Registerer) (*Scheduler, *meta.AlertStore) {
	t.Helper()
	as, err := meta.OpenAlerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Store: ch, Alerts: as, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registerer: reg, EvaluationTimeout: 50 * time.Millisecond, ExternalURL: "http://overlook.test",
		Retry: RetryConfig{Attempts: 2, InitialBackoff: time.Millisecond}})
	s.Deliverer().SetSleep(func(context.Context, time.Duration) error { return nil })
	return s, as
}

func TestSchedulerFiresOnceAndResolvesOnce(t *testing.T) {
	fc := &fakeCharter{}
	reg := prometheus.NewRegistry()
	s, as := newTestScheduler(t, fc, reg)
	h, url := newHook(t)
	a, err := s.Normalize(meta.Alert{Name: "errors", Source: "logs", Query: "SeverityText:ERROR", Interval: "30s",
		Threshold: 10, Channel: meta.Channel{Type: "webhook", URL: url}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := as.Create(a)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }

	fc.set(12, false)
	for i := 0; i < 3; i++ { // firing three rounds: one notice
		if rec, err = s.Evaluate(ctx, rec.ID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(30 * time.Second)
	}
	if rec.State != StateAlert || len(rec.Instances) != 1 || rec.Instances[0].Notified == nil {
		t.Fatalf("after firing rounds: state %q instances %+v", rec.State, rec.Instances)
	}
	fc.set(0, false)
	for i := 0; i < 2; i++ {
		if rec, err = s.Evaluate(ctx, rec.ID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(30 * time.Second)
	}
	msgs := h.messages()
	if len(msgs) != 2 || msgs[0].Status != "firing" || msgs[1].Status != "resolved" {
		t.Fatalf("notices = %+v, want one firing then one resolved", msgs)
	}
	f := msgs[0].Alerts[0]
	if f.Labels["alertname"] != "errors" || f.Annotations["summary"] != "errors is firing: 12 is at or above 10" ||
		!strings.HasPrefix(f.GeneratorURL, "http://overlook.test/search?") || !strings.Contains(f.GeneratorURL, "q=SeverityText%3AERROR") {
		t.Errorf("firing alert = %+v", f)
	}
	r := msgs[1].Alerts[0]
	if r.EndsAt.IsZero() || !r.StartsAt.Equal(f.StartsAt) || r.Fingerprint != f.Fingerprint {
		t.Errorf("resolved alert = %+v (firing %+v)", r, f)
	}
	if rec.State != StateOK || len(rec.History) != 2 || rec.History[0].State != StateAlert || rec.History[1].State != StateOK {
		t.Errorf("state %q history %+v", rec.State, rec.History)
	}
	if len(rec.Notifications) != 2 || !rec.Notifications[0].OK || !rec.Notifications[1].OK {
		t.Errorf("notifications %+v", rec.Notifications)
	}
	// One query per evaluation, over the last interval, counting the
	// search's matches.
	if len(fc.calls) != 5 {
		t.Fatalf("queries = %d, want 5", len(fc.calls))
	}
	c := fc.calls[0]
	if c.End.Sub(c.Start) != 30*time.Second || c.Request.Where != "SeverityText:ERROR" || c.Request.Select[0].AggFn != "count" {
		t.Errorf("query = %+v %+v", c, c.Request)
	}
	if got := testutil.ToFloat64(s.metrics.evaluations.WithLabelValues("ok")); got != 5 {
		t.Errorf("evaluations ok = %v, want 5", got)
	}
}

func TestSchedulerSlowQueryIsCutAndReported(t *testing.T) {
	fc := &fakeCharter{}
	s, as := newTestScheduler(t, fc, nil)
	_, url := newHook(t)
	a, _ := s.Normalize(meta.Alert{Name: "slow", Source: "logs", Interval: "5s", Threshold: 1,
		Channel: meta.Channel{Type: "webhook", URL: url}})
	rec, _ := as.Create(a)
	fc.set(0, true)
	rec, err := s.Evaluate(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != StateError || !strings.Contains(rec.LastError, "cut after 50ms") {
		t.Fatalf("state %q lastError %q, want error naming the timeout", rec.State, rec.LastError)
	}
	if len(rec.History) != 1 || rec.History[0].State != StateError {
		t.Errorf("history %+v", rec.History)
	}
	if got := testutil.ToFloat64(s.metrics.evaluations.WithLabelValues("timeout")); got != 1 {
		t.Errorf("evaluations timeout = %v, want 1", got)
	}
}

func TestSchedulerSkipsRoundWhilePreviousRuns(t *testing.T) {
	fc := &fakeCharter{}
	s, as := newTestScheduler(t, fc, nil)
	a, _ := s.Normalize(meta.Alert{Name: "x", Source: "logs", Interval: "5s", Threshold: 1,
		Channel: meta.Channel{Type: "webhook", URL: "http://127.0.0.1:1/"}})
	rec, _ := as.Create(a)
	s.running[rec.ID] = true // the previous evaluation still runs
	s.runDue(context.Background())
	s.wg.Wait()
	if len(fc.calls) != 0 {
		t.Fatalf("queries = %d while the previous evaluation ran, want 0", len(fc.calls))
	}
	if got := testutil.ToFloat64(s.metrics.evaluations.WithLabelValues("skipped")); got != 1 {
		t.Errorf("evaluations skipped = %v, want 1", got)
	}
	delete(s.running, rec.ID)
	s.runDue(context.Background()) // not due yet: the skipped round counts
	s.wg.Wait()
	if len(fc.calls) != 0 {
		t.Fatalf("queries = %d before the next interval, want 0", len(fc.calls))
	}
	s.Reset(rec.ID)
	s.runDue(context.Background())
	s.wg.Wait()
	if len(fc.calls) != 1 {
		t.Fatalf("queries = %d after Reset, want 1", len(fc.calls))
	}
}

func TestSchedulerFailedDeliveryIsVisibleAndRetried(t *testing.T) {
	fc := &fakeCharter{value: 5}
	s, as := newTestScheduler(t, fc, nil)
	h, url := newHook(t)
	h.code = 500
	a, _ := s.Normalize(meta.Alert{Name: "x", Source: "logs", Interval: "5s", Threshold: 1,
		Channel: meta.Channel{Type: "webhook", URL: url}})
	rec, _ := as.Create(a)
	rec, _ = s.Evaluate(context.Background(), rec.ID)
	if len(rec.Notifications) != 1 || rec.Notifications[0].OK || rec.Notifications[0].Attempts != 2 ||
		!strings.Contains(rec.Notifications[0].Error, "500") {
		t.Fatalf("notifications = %+v, want one failed after 2 attempts", rec.Notifications)
	}
	if rec.Instances[0].Notified != nil {
		t.Fatal("instance marked notified after a failed delivery")
	}
	last := rec.History[len(rec.History)-1]
	if last.State != StateNotificationFailed || !strings.HasPrefix(last.Error, "firing notice: ") || !strings.Contains(last.Error, "500") {
		t.Errorf("history does not show the failed delivery: %+v", rec.History)
	}
	h.mu.Lock()
	h.code = 200
	h.mu.Unlock()
	rec, _ = s.Evaluate(context.Background(), rec.ID)
	if len(rec.Notifications) != 2 || !rec.Notifications[1].OK || rec.Instances[0].Notified == nil {
		t.Fatalf("after the receiver recovered: %+v", rec.Notifications)
	}
	if got := len(h.messages()); got != 3 {
		t.Errorf("receiver saw %d posts, want 3 (2 failed attempts + 1)", got)
	}
}

func TestNormalizeNamesTheField(t *testing.T) {
	ch := meta.Channel{Type: "webhook", URL: "http://x"}
	for _, c := range []struct {
		a     meta.Alert
		field string
	}{
		{meta.Alert{Source: "logs", Interval: "1m", Channel: ch}, "name"},
		{meta.Alert{Name: "n", Source: "logs", Interval: "4s", Channel: ch}, "interval"},
		{meta.Alert{Name: "n", Source: "logs", Interval: "soon", Channel: ch}, "interval"},
		{meta.Alert{Name: "n", Source: "metrics", Interval: "1m", Channel: ch}, "source"},
		{meta.Alert{Name: "n", Interval: "1m", Channel: ch}, "source"},
		{meta.Alert{Name: "n", Source: "logs", Interval: "1m", ThresholdType: "over", Channel: ch}, "thresholdType"},
		{meta.Alert{Name: "n", Source: "logs", Interval: "1m", WhereLanguage: "traceql", Channel: ch}, "whereLanguage"},
		{meta.Alert{Name: "n", Source: "logs", Interval: "1m", Query: "a:(", Channel: ch}, "query"},
		{meta.Alert{Name: "n", Source: "logs", Interval: "1m"}, "channel"},
		{meta.Alert{Name: "n", Source: "logs", Interval: "1m", Channel: ch, Message: "{{.Nope}}"}, "message"},
		{meta.Alert{Name: "n", Interval: "1m", Channel: ch, DashboardID: "d"}, "tileId"},
	} {
		_, err := Normalize(c.a, nil, query.Limits{}.WithDefaults())
		ve, ok := err.(*ValidationError)
		if !ok || ve.Field != c.field {
			t.Errorf("Normalize(%+v) = %v, want a ValidationError on %s", c.a, err, c.field)
		}
	}
	a, err := Normalize(meta.Alert{Name: " n ", Source: "traces", Interval: "1d", Channel: ch, GroupBy: []string{"ServiceName"}}, nil, query.Limits{}.WithDefaults())
	if err != nil || a.Name != "n" || a.WhereLanguage != "lucene" || a.ThresholdType != "above" {
		t.Errorf("valid alert: %+v, %v", a, err)
	}
}

// groupedCharter answers with one series per service.
type groupedCharter struct{ values map[string]float64 }

func (g groupedCharter) Chart(_ context.Context, p store.ChartParams) (*query.ChartResult, error) {
	res := &query.ChartResult{}
	for svc, v := range g.values {
		res.Series = append(res.Series, query.Series{Name: "p95 " + svc, Group: map[string]string{"ServiceName": svc},
			Points: []query.Point{{T: p.Start.UnixMilli(), V: v}}})
	}
	return res, nil
}

type dashboards map[string]meta.Dashboard

func (d dashboards) Get(id string) (meta.Dashboard, error) {
	if x, ok := d[id]; ok {
		return x, nil
	}
	return meta.Dashboard{}, meta.ErrNotFound
}

func TestSchedulerTileAlert(t *testing.T) {
	lvl := 0.95
	dash := meta.Dashboard{ID: "d1", Name: "RED", Tiles: []meta.Tile{{ID: "t1", Config: meta.TileConfig{Name: "p95", Source: "traces",
		Select: []meta.Select{{AggFn: "quantile", Level: &lvl, ValueExpression: "Duration"}}, GroupBy: []string{"ServiceName"}, Where: "SpanKind:Server"}}}}
	as, _ := meta.OpenAlerts(t.TempDir())
	h, url := newHook(t)
	s := New(Options{Store: groupedCharter{values: map[string]float64{"api": 3e9, "db": 1e8}}, Alerts: as,
		Dashboards: dashboards{"d1": dash}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ExternalURL: "http://ui"})
	a, err := s.Normalize(meta.Alert{Name: "slow", DashboardID: "d1", TileID: "t1", Interval: "1m", Threshold: 1e9,
		Channel: meta.Channel{Type: "webhook", URL: url}})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := as.Create(a)
	rec, err = s.Evaluate(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != StateAlert || len(rec.Instances) != 1 || rec.Instances[0].Group["ServiceName"] != "api" || rec.Instances[0].Group["series"] != "p95 api" {
		t.Fatalf("tile alert: state %q instances %+v", rec.State, rec.Instances)
	}
	msgs := h.messages()
	if len(msgs) != 1 || len(msgs[0].Alerts) != 1 {
		t.Fatalf("notices %+v", msgs)
	}
	l := msgs[0].Alerts[0].Labels
	if l["alertname"] != "slow" || l["dashboard_id"] != "d1" || l["tile_id"] != "t1" || l["ServiceName"] != "api" ||
		msgs[0].Alerts[0].GeneratorURL != "http://ui/dashboards/d1?tile=t1" {
		t.Errorf("tile notice %+v", msgs[0].Alerts[0])
	}
	// The tile is deleted: the next evaluation is an error naming it.
	s.opts.Dashboards = dashboards{}
	rec, _ = s.Evaluate(context.Background(), rec.ID)
	if rec.State != StateError || !strings.Contains(rec.LastError, "dashboard d1") {
		t.Errorf("after the dashboard went: %q %q", rec.State, rec.LastError)
	}
}

// A PromQL tile (imported from Grafana) is refused with the way to alert on
// it: a Prometheus rule with the tile's expression.
func TestTileAlertRefusesPromQLTile(t *testing.T) {
	dash := meta.Dashboard{ID: "d1", Name: "Queues", Tiles: []meta.Tile{{ID: "t1", Config: meta.TileConfig{Name: "depth",
		Source: meta.SourcePromQL, Queries: []meta.PromQuery{{Expr: "sum(queue_depth)"}}}}}}
	as, _ := meta.OpenAlerts(t.TempDir())
	s := New(Options{Store: groupedCharter{}, Alerts: as, Dashboards: dashboards{"d1": dash},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	_, err := s.Normalize(meta.Alert{Name: "deep", DashboardID: "d1", TileID: "t1", Interval: "1m", Threshold: 10,
		Channel: meta.Channel{Type: "webhook", URL: "http://127.0.0.1:1/hook"}})
	if err == nil || !strings.Contains(err.Error(), "PromQL tile") || !strings.Contains(err.Error(), "sum(queue_depth)") {
		t.Fatalf("want a refusal naming the PromQL tile and its expression, got %v", err)
	}
}

// duringCharter answers like fakeCharter and runs during (once) while
// the query is in flight.
type duringCharter struct {
	fakeCharter
	once   sync.Once
	during func()
}

func (d *duringCharter) Chart(ctx context.Context, p store.ChartParams) (*query.ChartResult, error) {
	d.once.Do(d.during)
	return d.fakeCharter.Chart(ctx, p)
}

// newDuringAlert creates a firing logs alert (value 5 over threshold 1)
// whose query runs dc.during while in flight.
func newDuringAlert(t *testing.T) (*duringCharter, *Scheduler, *meta.AlertStore, meta.AlertRecord) {
	t.Helper()
	dc := &duringCharter{}
	dc.value = 5
	s, as := newTestScheduler(t, dc, nil)
	_, url := newHook(t)
	a, err := s.Normalize(meta.Alert{Name: "errors", Source: "logs", Query: "SeverityText:ERROR", Interval: "1m",
		Threshold: 1, ThresholdType: "above", Channel: meta.Channel{Type: "webhook", URL: url}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := as.Create(a)
	if err != nil {
		t.Fatal(err)
	}
	return dc, s, as, rec
}

// TestEvaluationKeepsEventsRecordedMeanwhile: a silence set while an
// evaluation's query runs stays in the history beside the evaluation's own
// events (the evaluation saved the status it computed from the record it
// read before the query, and dropped the silence's event: an e2e browser
// test waited for an "unsilenced" event that never came).
func TestEvaluationKeepsEventsRecordedMeanwhile(t *testing.T) {
	dc, s, as, rec := newDuringAlert(t)
	until := time.Now().Add(time.Hour)
	dc.during = func() {
		if _, err := as.SetSilence(rec.ID, &until); err != nil {
			t.Error(err)
		}
		if _, err := as.SetSilence(rec.ID, nil); err != nil {
			t.Error(err)
		}
	}
	got, err := s.Evaluate(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, ev := range got.History {
		states = append(states, ev.State)
	}
	if strings.Join(states, ",") != "silenced,unsilenced,alert" {
		t.Fatalf("history %v, want the silence's two events, then the evaluation's firing", states)
	}
	if stored, _ := as.Get(rec.ID); len(stored.History) != 3 || len(stored.Notifications) != 1 {
		t.Fatalf("stored: history %+v, notifications %+v; want 3 events and the firing notice", stored.History, stored.Notifications)
	}
}

// TestEvaluationUsesTheSilenceAsItIsAtSave: an alert silenced while its
// query ran is not paged and shows silenced; one unsilenced meanwhile
// fires and shows alert — not what the silence read before the query
// said.
func TestEvaluationUsesTheSilenceAsItIsAtSave(t *testing.T) {
	for _, tc := range []struct {
		name          string
		silencedFirst bool
		wantState     string
		wantNotices   int
	}{
		{"silenced meanwhile", false, StateSilenced, 0},
		{"unsilenced meanwhile", true, StateAlert, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dc, s, as, rec := newDuringAlert(t)
			until := time.Now().Add(time.Hour)
			set := &until
			if tc.silencedFirst {
				if _, err := as.SetSilence(rec.ID, &until); err != nil {
					t.Fatal(err)
				}
				set = nil
			}
			dc.during = func() {
				if _, err := as.SetSilence(rec.ID, set); err != nil {
					t.Error(err)
				}
			}
			got, err := s.Evaluate(context.Background(), rec.ID)
			if err != nil {
				t.Fatal(err)
			}
			stored, _ := as.Get(rec.ID)
			if got.State != tc.wantState || stored.State != tc.wantState || len(stored.Notifications) != tc.wantNotices {
				t.Fatalf("state %q (stored %q), %d notices; want %q, %d", got.State, stored.State, len(stored.Notifications), tc.wantState, tc.wantNotices)
			}
		})
	}
}
