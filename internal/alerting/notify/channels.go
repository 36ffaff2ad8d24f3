package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/template"
	"time"
)

// Channel types.
const (
	TypeWebhook  = "webhook"
	TypeSlack    = "slack"
	TypeTemplate = "template"
)

// ChannelConfig configures one channel (the JSON of an alert's "channel").
type ChannelConfig struct {
	// Type is webhook, slack or template.
	Type string
	URL  string
	// Body is the template channel's Go text/template, executed over the
	// Message (fields as in the JSON payload: .Status, .Alerts,
	// (index .Alerts 0).Labels.alertname, ...).
	Body string
	// ContentType of the template channel's body; empty: text/plain.
	ContentType string
	// Headers are sent with every request (e.g. Authorization).
	Headers map[string]string
}

// DeliveryError is a failed delivery; Retryable tells whether another
// attempt may succeed (network errors, 5xx, 429).
type DeliveryError struct {
	Err       error
	Retryable bool
}

func (e *DeliveryError) Error() string { return e.Err.Error() }
func (e *DeliveryError) Unwrap() error { return e.Err }

// New returns the Notifier of c, or an error naming the field to fix.
func New(c ChannelConfig, client *http.Client) (Notifier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	h := httpSender{url: c.URL, headers: c.Headers, client: client}
	switch c.Type {
	case TypeSlack:
		return &slack{h}, nil
	case TypeTemplate:
		tmpl, _ := template.New("body").Option("missingkey=zero").Parse(c.Body)
		ct := c.ContentType
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		return &templated{h: h, tmpl: tmpl, contentType: ct}, nil
	default:
		return &webhook{h}, nil
	}
}

// Validate checks c and says which field is wrong and how to fix it.
func (c ChannelConfig) Validate() error {
	switch c.Type {
	case TypeWebhook, TypeSlack, TypeTemplate:
	case "":
		return errors.New("channel.type is empty: use webhook, slack or template")
	default:
		return fmt.Errorf("channel.type %q is unknown: use webhook, slack or template", c.Type)
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("channel.url %q is not an http(s) URL: give the receiver's full URL, e.g. https://hooks.example.com/alerts", c.URL)
	}
	if c.Type == TypeTemplate {
		if strings.TrimSpace(c.Body) == "" {
			return errors.New("channel.body is empty: a template channel needs a Go text/template body, e.g. {{.Status}}: {{(index .Alerts 0).Labels.alertname}}")
		}
		tmpl, err := template.New("body").Option("missingkey=zero").Parse(c.Body)
		if err != nil {
			return fmt.Errorf("channel.body is not a valid Go text/template: %w", err)
		}
		if err := tmpl.Execute(io.Discard, sampleMessage()); err != nil {
			return fmt.Errorf("channel.body fails on a sample notice: %w", err)
		}
	}
	return nil
}

type httpSender struct {
	url     string
	headers map[string]string
	client  *http.Client
}

func (h httpSender) post(ctx context.Context, contentType string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return &DeliveryError{Err: fmt.Errorf("build request to %s: %w", h.url, err)}
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "overlook-alerting")
	for k, v := range h.headers {
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return &DeliveryError{Err: fmt.Errorf("post to %s: %w", redact(h.url), err), Retryable: ctx.Err() == nil}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	return &DeliveryError{
		Err: fmt.Errorf("%s answered %s: %s", redact(h.url), resp.Status, strings.TrimSpace(string(snippet))),
		// Like Alertmanager: 5xx and 429 may pass later, 4xx will not.
		Retryable: resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests,
	}
}

// redact drops the URL's path and query, which often hold a secret
// (Slack's webhook token), from error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the channel URL"
	}
	return u.Scheme + "://" + u.Host + "/…"
}

type webhook struct{ h httpSender }

func (w *webhook) Notify(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return &DeliveryError{Err: fmt.Errorf("BUG: encode webhook payload: %w", err)}
	}
	return w.h.post(ctx, "application/json", body)
}

type slack struct{ h httpSender }

func (s *slack) Notify(ctx context.Context, m Message) error {
	body, err := json.Marshal(map[string]string{"text": SlackText(m)})
	if err != nil {
		return &DeliveryError{Err: fmt.Errorf("BUG: encode slack payload: %w", err)}
	}
	return s.h.post(ctx, "application/json", body)
}

// SlackText is the text of a Slack notice: a status line, then one line
// per alert with its message (or summary) and link.
func SlackText(m Message) string {
	var b strings.Builder
	name := m.CommonLabels["alertname"]
	if name == "" && len(m.Alerts) > 0 {
		name = m.Alerts[0].Labels["alertname"]
	}
	fmt.Fprintf(&b, "[%s] %s", strings.ToUpper(m.Status), name)
	if len(m.Alerts) > 1 {
		fmt.Fprintf(&b, " (%d)", len(m.Alerts))
	}
	for _, a := range m.Alerts {
		text := a.Annotations["message"]
		if text == "" {
			text = a.Annotations["summary"]
		}
		b.WriteString("\n• " + text)
		if a.GeneratorURL != "" {
			b.WriteString(" <" + a.GeneratorURL + "|open>")
		}
	}
	return b.String()
}

type templated struct {
	h           httpSender
	tmpl        *template.Template
	contentType string
}

func (t *templated) Notify(ctx context.Context, m Message) error {
	var b bytes.Buffer
	if err := t.tmpl.Execute(&b, m); err != nil {
		return &DeliveryError{Err: fmt.Errorf("render channel.body: %w", err)}
	}
	return t.h.post(ctx, t.contentType, b.Bytes())
}

// sampleMessage is what templates are checked against.
func sampleMessage() Message {
	labels := map[string]string{"alertname": "sample"}
	return NewMessage("sample", StatusFiring, "", labels, []Alert{{Status: StatusFiring, Labels: labels,
		Annotations: map[string]string{"summary": "sample", "description": "sample", "message": "sample"}}})
}
