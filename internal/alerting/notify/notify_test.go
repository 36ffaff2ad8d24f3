package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// receiver is a test HTTP server that records every request and answers
// with the next status of codes (200 once they run out).
type receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	codes []int
	got   []request
}

type request struct {
	contentType, auth string
	body              []byte
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{codes: codes}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, request{req.Header.Get("Content-Type"), req.Header.Get("Authorization"), b})
		code := http.StatusOK
		if len(r.codes) > 0 {
			code, r.codes = r.codes[0], r.codes[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(code)
		_, _ = w.Write([]byte("answer"))
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.got...)
}

func testMessage() Message {
	starts := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	labels := map[string]string{"alertname": "errors", "alert_id": "a1", "source": "logs"}
	return NewMessage("overlook/errors", StatusFiring, "http://overlook:8080", map[string]string{"alertname": "errors"}, []Alert{{
		Status: StatusFiring, Labels: labels, StartsAt: starts,
		Annotations:  map[string]string{"summary": "errors is firing: 12 is at or above 10", "description": "12 errors", "message": "12 errors"},
		GeneratorURL: "http://overlook:8080/search?q=x", Fingerprint: Fingerprint(labels),
	}})
}

func TestWebhookPayload(t *testing.T) {
	r := newReceiver(t)
	n, err := New(ChannelConfig{Type: TypeWebhook, URL: r.srv.URL, Headers: map[string]string{"Authorization": "Bearer s3cret"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	got := r.requests()
	if len(got) != 1 {
		t.Fatalf("requests = %d, want 1", len(got))
	}
	if got[0].contentType != "application/json" || got[0].auth != "Bearer s3cret" {
		t.Errorf("headers: content type %q, authorization %q", got[0].contentType, got[0].auth)
	}
	fp := Fingerprint(map[string]string{"alertname": "errors", "alert_id": "a1", "source": "logs"})
	want := `{"version":"4","groupKey":"{}:{alertname=\"errors\"}","truncatedAlerts":0,"status":"firing",` +
		`"receiver":"overlook/errors","groupLabels":{"alertname":"errors"},` +
		`"commonLabels":{"alert_id":"a1","alertname":"errors","source":"logs"},` +
		`"commonAnnotations":{"description":"12 errors","message":"12 errors","summary":"errors is firing: 12 is at or above 10"},` +
		`"externalURL":"http://overlook:8080","alerts":[{"status":"firing","labels":{"alert_id":"a1","alertname":"errors","source":"logs"},` +
		`"annotations":{"description":"12 errors","message":"12 errors","summary":"errors is firing: 12 is at or above 10"},` +
		`"startsAt":"2026-12-06T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://overlook:8080/search?q=x","fingerprint":"` + fp + `"}]}`
	if string(got[0].body) != want {
		t.Errorf("payload\n got %s\nwant %s", got[0].body, want)
	}
}

func TestSlackPayload(t *testing.T) {
	r := newReceiver(t)
	n, err := New(ChannelConfig{Type: TypeSlack, URL: r.srv.URL + "/services/T/B/X"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	if err := json.Unmarshal(r.requests()[0].body, &body); err != nil {
		t.Fatal(err)
	}
	want := "[FIRING] errors\n• 12 errors <http://overlook:8080/search?q=x|open>"
	if len(body) != 1 || body["text"] != want {
		t.Errorf("slack body = %q, want only text %q", body, want)
	}
}

func TestTemplatePayload(t *testing.T) {
	r := newReceiver(t)
	n, err := New(ChannelConfig{Type: TypeTemplate, URL: r.srv.URL, ContentType: "text/plain",
		Body: `{{.Status}} {{range .Alerts}}{{.Labels.alertname}}={{.Annotations.message}}{{end}}`}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(context.Background(), testMessage()); err != nil {
		t.Fatal(err)
	}
	got := r.requests()[0]
	if string(got.body) != "firing errors=12 errors" || got.contentType != "text/plain" {
		t.Errorf("template body %q (%s)", got.body, got.contentType)
	}
}

func TestChannelValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  ChannelConfig
		want string
	}{
		{ChannelConfig{URL: "http://x"}, "channel.type is empty"},
		{ChannelConfig{Type: "email", URL: "http://x"}, `channel.type "email" is unknown`},
		{ChannelConfig{Type: TypeWebhook, URL: "ftp://x"}, "channel.url"},
		{ChannelConfig{Type: TypeWebhook}, "channel.url"},
		{ChannelConfig{Type: TypeTemplate, URL: "http://x"}, "channel.body is empty"},
		{ChannelConfig{Type: TypeTemplate, URL: "http://x", Body: "{{.Nope"}, "channel.body is not a valid Go text/template"},
		{ChannelConfig{Type: TypeTemplate, URL: "http://x", Body: "{{.Nope}}"}, "channel.body fails on a sample notice"},
	} {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.cfg, err, c.want)
		}
	}
}

// fakeSleep records the backoff waits instead of waiting.
type fakeSleep struct{ waits []time.Duration }

func (f *fakeSleep) sleep(_ context.Context, d time.Duration) error {
	f.waits = append(f.waits, d)
	return nil
}

func TestDeliverRetries(t *testing.T) {
	cases := []struct {
		name         string
		codes        []int
		wantAttempts int
		wantWaits    []time.Duration
		wantErr      string
		result       string
	}{
		{"ok first time", nil, 1, nil, "", "ok"},
		{"503 twice then ok", []int{503, 503}, 3, []time.Duration{time.Second, 2 * time.Second}, "", "ok"},
		{"429 is retried", []int{429}, 2, []time.Duration{time.Second}, "", "ok"},
		{"400 is not retried", []int{400}, 1, nil, "400 Bad Request: answer", "failed"},
		{"always 500: gives up after 5 attempts, backoff capped", []int{500, 500, 500, 500, 500, 500}, 5,
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}, "500 Internal Server Error", "failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReceiver(t, c.codes...)
			reg := prometheus.NewRegistry()
			d := NewDeliverer(RetryPolicy{Attempts: 5, InitialBackoff: time.Second, MaxBackoff: 5 * time.Second}, reg)
			fs := &fakeSleep{}
			d.SetSleep(fs.sleep)
			n, _ := New(ChannelConfig{Type: TypeWebhook, URL: r.srv.URL}, nil)
			attempts, err := d.Deliver(context.Background(), TypeWebhook, n, testMessage())
			if attempts != c.wantAttempts || len(r.requests()) != c.wantAttempts {
				t.Errorf("attempts = %d (server saw %d), want %d", attempts, len(r.requests()), c.wantAttempts)
			}
			if len(fs.waits) != len(c.wantWaits) {
				t.Fatalf("waits = %v, want %v", fs.waits, c.wantWaits)
			}
			for i := range fs.waits {
				if fs.waits[i] != c.wantWaits[i] {
					t.Errorf("waits = %v, want %v", fs.waits, c.wantWaits)
				}
			}
			if (err == nil) != (c.wantErr == "") || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
				t.Errorf("err = %v, want %q", err, c.wantErr)
			}
			if got := testutil.ToFloat64(d.results.WithLabelValues(TypeWebhook, c.result)); got != 1 {
				t.Errorf("overlook_alert_notifications_total{result=%q} = %v, want 1", c.result, got)
			}
		})
	}
}

func TestDeliverErrorRedactsURL(t *testing.T) {
	r := newReceiver(t, 404)
	n, _ := New(ChannelConfig{Type: TypeSlack, URL: r.srv.URL + "/services/SECRET"}, nil)
	err := n.Notify(context.Background(), testMessage())
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("error %v: want a failure that does not show the URL's path", err)
	}
}
