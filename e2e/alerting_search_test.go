package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// webhookReceiver is an Alertmanager-webhook receiver on a loopback port
// that records every payload.
type webhookReceiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []amPayload
}

type amPayload struct {
	Version      string            `json:"version"`
	Status       string            `json:"status"`
	Receiver     string            `json:"receiver"`
	GroupLabels  map[string]string `json:"groupLabels"`
	CommonLabels map[string]string `json:"commonLabels"`
	Alerts       []struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     time.Time         `json:"startsAt"`
		EndsAt       time.Time         `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	} `json:"alerts"`
}

func newWebhookReceiver(t *testing.T) *webhookReceiver {
	t.Helper()
	r := &webhookReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		var m amPayload
		if err := json.Unmarshal(b, &m); err != nil {
			t.Errorf("webhook payload is not JSON: %s", b)
		}
		r.mu.Lock()
		r.msgs = append(r.msgs, m)
		r.mu.Unlock()
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *webhookReceiver) received() []amPayload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]amPayload(nil), r.msgs...)
}

// sendErrorLogs posts one ERROR log of service alert-e2e every 300ms
// until ctx ends.
func (s *server) sendErrorLogs(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	for ctx.Err() == nil {
		rec := map[string]any{"timeUnixNano": strconv.FormatInt(time.Now().UnixNano(), 10),
			"severityText": "ERROR", "body": map[string]any{"stringValue": "payment failed"}}
		s.postOTLP("/v1/logs", map[string]any{"resourceLogs": []any{map[string]any{
			"resource":  map[string]any{"attributes": []any{map[string]any{"key": "service.name", "value": map[string]any{"stringValue": "alert-e2e"}}}},
			"scopeLogs": []any{map[string]any{"logRecords": []any{rec}}},
		}}})
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
}

type alertView struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	State          string  `json:"state"`
	LastEvaluation *string `json:"lastEvaluation"`
	LastError      string  `json:"lastError"`
	History        []struct {
		At    time.Time `json:"at"`
		State string    `json:"state"`
		Value *float64  `json:"value"`
	} `json:"history"`
	Notifications []struct {
		Status string `json:"status"`
		OK     bool   `json:"ok"`
	} `json:"notifications"`
	Error string `json:"error"`
}

// TestSearchAlertFiresAndResolves: a search alert on error logs (issue 13
// §2, §6) fires with exactly one firing notice when the errors start,
// sends exactly one resolved notice when they stop, and keeps the alert
// and its history across a restart.
func TestSearchAlertFiresAndResolves(t *testing.T) {
	hook := newWebhookReceiver(t)
	s := newServer(t, "")
	s.start()

	var created alertView
	code := s.postJSON("/api/alerts", map[string]any{
		"name": "checkout errors", "source": "logs", "query": "SeverityText:ERROR ServiceName:alert-e2e",
		"whereLanguage": "lucene", "groupBy": []string{}, "interval": "5s", "thresholdType": "above", "threshold": 1,
		"channel": map[string]any{"type": "webhook", "url": hook.srv.URL},
	}, &created)
	if code != http.StatusCreated || created.ID == "" {
		t.Fatalf("create alert: %d %+v", code, created)
	}
	path := "/api/alerts/" + created.ID
	waitFor(t, 15*time.Second, "the first evaluation", func() bool {
		var a alertView
		s.getJSON(path, &a)
		return a.LastEvaluation != nil
	})
	if n := len(hook.received()); n != 0 {
		t.Fatalf("%d notices before any error was logged", n)
	}

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go s.sendErrorLogs(ctx, &wg)
	waitFor(t, 30*time.Second, "the firing notice", func() bool { return len(hook.received()) >= 1 })
	var a alertView
	s.getJSON(path, &a)
	if a.State != "alert" {
		t.Errorf("state while errors flow = %q, want alert", a.State)
	}
	// Errors keep flowing for two more intervals: no second notice.
	time.Sleep(11 * time.Second)
	stop()
	wg.Wait()
	if msgs := hook.received(); len(msgs) != 1 {
		t.Fatalf("notices while firing = %d (%+v), want exactly 1", len(msgs), msgs)
	}
	waitFor(t, 30*time.Second, "the resolved notice", func() bool { return len(hook.received()) >= 2 })
	time.Sleep(6 * time.Second) // one more interval: nothing else arrives
	msgs := hook.received()
	if len(msgs) != 2 || msgs[0].Status != "firing" || msgs[1].Status != "resolved" {
		t.Fatalf("notices = %+v, want exactly one firing then one resolved", msgs)
	}
	f, r := msgs[0], msgs[1]
	if f.Version != "4" || len(f.Alerts) != 1 || f.Alerts[0].Labels["alertname"] != "checkout errors" ||
		f.GroupLabels["alertname"] != "checkout errors" || !f.Alerts[0].EndsAt.IsZero() ||
		!strings.HasPrefix(f.Alerts[0].GeneratorURL, "http://"+s.api+"/search?") ||
		!strings.Contains(f.Alerts[0].Annotations["summary"], "checkout errors is firing") {
		t.Errorf("firing notice = %+v", f)
	}
	if len(r.Alerts) != 1 || r.Alerts[0].Status != "resolved" || r.Alerts[0].EndsAt.IsZero() ||
		r.Alerts[0].Fingerprint != f.Alerts[0].Fingerprint || !r.Alerts[0].StartsAt.Equal(f.Alerts[0].StartsAt) {
		t.Errorf("resolved notice = %+v", r)
	}
	var before alertView
	s.getJSON(path, &before)
	if before.State != "ok" || len(before.History) != 2 || before.History[0].State != "alert" || before.History[1].State != "ok" ||
		before.History[0].Value == nil || *before.History[0].Value < 1 {
		t.Fatalf("after resolving: %+v", before)
	}
	if len(before.Notifications) != 2 || !before.Notifications[0].OK || !before.Notifications[1].OK {
		t.Errorf("notifications = %+v", before.Notifications)
	}
	metrics := s.metricsText()
	for _, want := range []string{`overlook_alert_notifications_total{channel="webhook",result="ok"} 2`,
		`overlook_alert_notifications_total{channel="webhook",result="failed"} 0`, `overlook_alert_evaluations_total{result="ok"}`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	s.stop()
	s.start()
	var after alertView
	if code := s.getJSON(path, &after); code != http.StatusOK {
		t.Fatalf("alert after restart: %d %+v", code, after)
	}
	if after.Name != "checkout errors" || len(after.History) < 2 || after.History[0].State != "alert" ||
		!after.History[1].At.Equal(before.History[1].At) {
		t.Errorf("after restart: %+v, want the alert and its history (%+v)", after, before.History)
	}
	time.Sleep(6 * time.Second) // an evaluation after the restart sends nothing new
	if n := len(hook.received()); n != 2 {
		t.Errorf("notices after restart = %d, want still 2", n)
	}
}

// TestAlertFailedDeliveryIsVisible: a channel that refuses notices shows
// in the alert's notifications and in /metrics, never silently.
func TestAlertFailedDeliveryIsVisible(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	}))
	defer refusing.Close()
	s := newServer(t, "")
	s.start()
	var created alertView
	code := s.postJSON("/api/alerts", map[string]any{
		"name": "always", "source": "logs", "query": "", "interval": "5s", "thresholdType": "below", "threshold": 1,
		"channel": map[string]any{"type": "slack", "url": refusing.URL},
	}, &created)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %+v", code, created)
	}
	var a alertView
	waitFor(t, 20*time.Second, "a failed delivery", func() bool {
		s.getJSON("/api/alerts/"+created.ID, &a)
		return len(a.Notifications) > 0
	})
	if a.State != "alert" || a.Notifications[0].OK {
		t.Fatalf("alert = %+v, want state alert and a failed notification", a)
	}
	s.getJSON("/api/alerts/"+created.ID, &a)
	failedInHistory := false
	for _, h := range a.History {
		failedInHistory = failedInHistory || h.State == "notification_failed"
	}
	if !failedInHistory {
		t.Errorf("history %+v has no notification_failed entry", a.History)
	}
	if m := s.metricsText(); !strings.Contains(m, `overlook_alert_notifications_total{channel="slack",result="failed"} `) ||
		strings.Contains(m, `overlook_alert_notifications_total{channel="slack",result="failed"} 0`) {
		t.Errorf("/metrics does not count the failed delivery")
	}
	var res struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if code := s.postJSON("/api/alerts/"+created.ID+"/test", nil, &res); code != http.StatusBadGateway || !strings.Contains(res.Error, "410 Gone") {
		t.Errorf("test notification: %d %+v, want 502 naming the receiver's answer", code, res)
	}
}

func (s *server) metricsText() string {
	s.t.Helper()
	resp, err := http.Get("http://" + s.api + "/metrics")
	if err != nil {
		s.t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
