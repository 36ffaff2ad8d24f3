package notify

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RetryPolicy bounds how a notice is retried. Zero fields use the
// defaults: 4 attempts, 1s initial backoff doubling up to 30s.
type RetryPolicy struct {
	Attempts       int
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
}

// WithDefaults fills zero fields.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 4
	}
	if p.InitialBackoff <= 0 {
		p.InitialBackoff = time.Second
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 30 * time.Second
	}
	return p
}

// Deliverer sends notices with retries and counts each delivery in
// overlook_alert_notifications_total{channel,result}.
type Deliverer struct {
	policy RetryPolicy
	// sleep waits d or until ctx ends (tests inject a fake clock).
	sleep   func(ctx context.Context, d time.Duration) error
	results *prometheus.CounterVec
}

// NewDeliverer registers its metric on reg (nil: not registered).
func NewDeliverer(p RetryPolicy, reg prometheus.Registerer) *Deliverer {
	d := &Deliverer{policy: p.WithDefaults(), sleep: sleepCtx,
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "overlook_alert_notifications_total",
			Help: "Alert notices delivered (result ok) or given up after retries (result failed), by channel type.",
		}, []string{"channel", "result"})}
	if reg != nil {
		// A restarted extension shares the registry: reuse its counter.
		if err := reg.Register(d.results); err != nil {
			var are prometheus.AlreadyRegisteredError
			old, ok := d.results, false
			if errors.As(err, &are) {
				old, ok = are.ExistingCollector.(*prometheus.CounterVec)
			}
			if !ok {
				panic("BUG: register overlook_alert_notifications_total: " + err.Error())
			}
			d.results = old
		}
	}
	for _, c := range []string{TypeWebhook, TypeSlack, TypeTemplate} {
		for _, r := range []string{"ok", "failed"} {
			d.results.WithLabelValues(c, r)
		}
	}
	return d
}

// SetSleep replaces the backoff wait (tests).
func (d *Deliverer) SetSleep(f func(ctx context.Context, d time.Duration) error) { d.sleep = f }

// Deliver sends m through n, retrying retryable failures with exponential
// backoff. It returns the attempts made and the last error (nil when
// delivered). channel labels the metric (the channel type).
func (d *Deliverer) Deliver(ctx context.Context, channel string, n Notifier, m Message) (int, error) {
	backoff := d.policy.InitialBackoff
	var err error
	attempts := 0
	for attempts < d.policy.Attempts {
		attempts++
		if err = n.Notify(ctx, m); err == nil {
			d.results.WithLabelValues(channel, "ok").Inc()
			return attempts, nil
		}
		var de *DeliveryError
		if errors.As(err, &de) && !de.Retryable {
			break
		}
		if attempts == d.policy.Attempts {
			break
		}
		if serr := d.sleep(ctx, backoff); serr != nil {
			break
		}
		backoff = min(backoff*2, d.policy.MaxBackoff)
	}
	d.results.WithLabelValues(channel, "failed").Inc()
	return attempts, err
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Results is overlook_alert_notifications_total (tests).
func (d *Deliverer) Results() *prometheus.CounterVec { return d.results }
