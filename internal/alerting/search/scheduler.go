package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

// Options configures a Scheduler. Zero values are documented per field.
type Options struct {
	// Store runs the alerts' charts. Required.
	Store store.Charter
	// Alerts keeps the rules and their status. Required.
	Alerts *meta.AlertStore
	// Dashboards finds tiles of tile alerts; nil: tile alerts fail.
	Dashboards Dashboards
	// Logger is required.
	Logger *slog.Logger
	// Registerer receives the scheduler's and notifier's metrics (nil:
	// not registered).
	Registerer prometheus.Registerer
	// EvaluationTimeout cuts one evaluation's query; zero: 30s. An
	// evaluation never runs longer than its alert's interval.
	EvaluationTimeout time.Duration
	// ExternalURL is the UI's base URL for links in notices; empty: each
	// alert's LinkBase (the Host it was saved through).
	ExternalURL string
	// Limits bound the alerts' filters, as the API's.
	Limits query.Limits
	// Retry bounds notice deliveries.
	Retry RetryConfig
	// Tick is how often due alerts are looked for; zero: 1s.
	Tick time.Duration
	// HTTPClient sends notices; nil: a client with a 10s timeout.
	HTTPClient *http.Client
	// Labels are added to every notice's alerts (the tenant, with
	// multitenancy on); nil: none.
	Labels map[string]string
}

// RetryConfig is notify.RetryPolicy (kept here so callers need not import
// notify).
type RetryConfig = notify.RetryPolicy

// Scheduler evaluates every alert once per its interval, one at a time per
// alert: a round that comes while the previous evaluation (or its
// deliveries) still runs is skipped and counted, never queued.
type Scheduler struct {
	opts     Options
	deliver  *notify.Deliverer
	metrics  *metrics
	now      func() time.Time
	mu       sync.Mutex
	running  map[string]bool
	next     map[string]time.Time
	wg       sync.WaitGroup
	cancel   context.CancelFunc
	loopDone chan struct{}
}

// New returns a stopped Scheduler.
func New(opts Options) *Scheduler {
	if opts.EvaluationTimeout <= 0 {
		opts.EvaluationTimeout = 30 * time.Second
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	opts.Limits = opts.Limits.WithDefaults()
	return &Scheduler{opts: opts, deliver: notify.NewDeliverer(opts.Retry, opts.Registerer),
		metrics: newMetrics(opts.Registerer), now: time.Now,
		running: map[string]bool{}, next: map[string]time.Time{}}
}

// Deliverer is the scheduler's notice sender (tests replace its clock).
func (s *Scheduler) Deliverer() *notify.Deliverer { return s.deliver }

// Start runs the schedule until Stop.
func (s *Scheduler) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.loopDone = cancel, make(chan struct{})
	go func() {
		defer close(s.loopDone)
		t := time.NewTicker(s.opts.Tick)
		defer t.Stop()
		for {
			s.runDue(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop cancels running evaluations and waits for them.
func (s *Scheduler) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.loopDone
	s.wg.Wait()
}

// Reset makes alert id due now (after it was created or changed).
func (s *Scheduler) Reset(id string) {
	s.mu.Lock()
	delete(s.next, id)
	s.mu.Unlock()
}

// runDue starts the evaluation of every alert whose time has come.
func (s *Scheduler) runDue(ctx context.Context) {
	now := s.now()
	seen := map[string]bool{}
	for _, rec := range s.opts.Alerts.Schedules() {
		seen[rec.ID] = true
		interval, err := ParseInterval(rec.Interval)
		if err != nil || interval <= 0 {
			continue // validated on save; nothing sane to do
		}
		s.mu.Lock()
		next, scheduled := s.next[rec.ID]
		due := !scheduled || !now.Before(next)
		if !due {
			s.mu.Unlock()
			continue
		}
		s.next[rec.ID] = now.Add(interval)
		if s.running[rec.ID] {
			s.mu.Unlock()
			s.metrics.evaluations.WithLabelValues("skipped").Inc()
			s.opts.Logger.Warn("alert evaluation skipped: the previous one still runs", "alert", rec.Name, "id", rec.ID)
			continue
		}
		s.running[rec.ID] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func(rec meta.AlertSchedule) {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.running, rec.ID)
				s.mu.Unlock()
			}()
			s.Evaluate(ctx, rec.ID)
		}(rec)
	}
	s.mu.Lock()
	for id := range s.next {
		if !seen[id] {
			delete(s.next, id)
		}
	}
	s.mu.Unlock()
}

// Evaluate runs one evaluation of alert id now: its query over the last
// interval, the state step, and the notices due. It returns the alert as
// saved.
func (s *Scheduler) Evaluate(ctx context.Context, id string) (meta.AlertRecord, error) {
	rec, err := s.opts.Alerts.Get(id)
	if err != nil {
		return rec, err
	}
	a := &rec.Alert
	now := s.now()
	interval, _ := ParseInterval(a.Interval)
	repeat := DefaultRepeatInterval
	if r, err := ParseInterval(a.RepeatInterval); err == nil && r > 0 {
		repeat = r
	}
	start := time.Now()
	samples, evalErr := s.query(ctx, a, now, interval)
	s.metrics.duration.Observe(time.Since(start).Seconds())
	switch {
	case evalErr == nil:
		s.metrics.evaluations.WithLabelValues("ok").Inc()
	case errors.Is(evalErr, errTimeout):
		s.metrics.evaluations.WithLabelValues("timeout").Inc()
	default:
		s.metrics.evaluations.WithLabelValues("error").Inc()
	}
	if ctx.Err() != nil {
		return rec, ctx.Err() // shutting down: not the alert's error
	}
	var out Outcome
	for try := 0; ; try++ {
		out = Step(a, rec.AlertStatus, samples, evalErr, now.UTC(), repeat)
		// Step appended this evaluation's events to a copy of the history
		// read before the query; what was recorded while the query ran (a
		// silence, an unsilence, a delivery) is in the stored status: keep
		// it and add the new events after it.
		added := out.Status.History[len(rec.AlertStatus.History):]
		var saved meta.AlertRecord
		saved, err = s.opts.Alerts.SetStatusOf(id, a, out.Changed, func(st *meta.AlertStatus) {
			history, notes := st.History, st.Notifications
			*st = out.Status
			st.History = append(slices.Clip(history), added...)
			st.Notifications = notes
		})
		if errors.Is(err, meta.ErrSilenceChanged) && try < 3 {
			// Silenced or unsilenced while the query ran: the state and
			// the notices are stepped again from the same values with the
			// silence as it is now (a user who silenced is not paged, and
			// one who unsilenced sees the state at once).
			a.SilenceUntil = saved.SilenceUntil
			continue
		}
		rec = saved
		break
	}
	if errors.Is(err, meta.ErrRuleChanged) || errors.Is(err, meta.ErrNotFound) || errors.Is(err, meta.ErrSilenceChanged) {
		// Edited or deleted while its query ran: this result is for the
		// old rule; the edit made the alert due again.
		return rec, nil
	}
	if err != nil {
		s.opts.Logger.Error("save alert state", "alert", a.Name, "error", err)
		return rec, fmt.Errorf("save alert %q state: %w", a.Name, err)
	}
	if evalErr != nil {
		s.opts.Logger.Warn("alert evaluation failed", "alert", a.Name, "id", id, "error", evalErr)
	}
	if len(out.Firing) > 0 {
		rec = s.send(ctx, a, notify.StatusFiring, out.Firing, now)
	}
	if len(out.Resolved) > 0 {
		rec = s.send(ctx, a, notify.StatusResolved, out.Resolved, now)
	}
	return rec, nil
}

// query runs the alert's one chart query over [now-interval, now).
func (s *Scheduler) query(ctx context.Context, a *meta.Alert, now time.Time, interval time.Duration) ([]Sample, error) {
	var dash *meta.Dashboard
	if isTile(a) {
		if s.opts.Dashboards == nil {
			return nil, errors.New("tile alerts need the dashboard store")
		}
		d, err := s.opts.Dashboards.Get(a.DashboardID)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s of this alert: %w (was it deleted?)", a.DashboardID, err)
		}
		dash = &d
	}
	req, err := chartRequest(a, dash, s.opts.Limits)
	if err != nil {
		return nil, err
	}
	timeout := min(s.opts.EvaluationTimeout, interval)
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := s.opts.Store.Chart(qctx, store.ChartParams{Request: req, Start: now.Add(-interval), End: now})
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || (qctx.Err() != nil && ctx.Err() == nil) {
			return nil, fmt.Errorf("%w: the query was cut after %s (alerting evaluation_timeout or the alert's interval): narrow the query or raise the interval", errTimeout, timeout)
		}
		return nil, fmt.Errorf("query: %w", err)
	}
	return samplesOf(a, res), nil
}

// send delivers one notice and records the result (and, for firing
// notices delivered, when each instance was notified).
func (s *Scheduler) send(ctx context.Context, a *meta.Alert, status string, instances []meta.AlertInstance, now time.Time) meta.AlertRecord {
	m := notice(a, status, s.opts.ExternalURL, instances, now)
	withLabels(&m, s.opts.Labels)
	attempts, err := s.deliverTo(ctx, a.Channel, m)
	res := meta.NotificationResult{At: s.now().UTC(), Status: status, OK: err == nil, Attempts: attempts}
	if err != nil {
		res.Error = err.Error()
		s.opts.Logger.Warn("alert notice not delivered", "alert", a.Name, "status", status, "attempts", attempts, "error", err)
	}
	notified := map[string]bool{}
	for _, in := range instances {
		notified[groupKey(in.Group)] = true
	}
	rec, serr := s.opts.Alerts.SetStatus(a.ID, true, func(st *meta.AlertStatus) {
		st.Notifications = append(st.Notifications, res)
		if err != nil {
			// Never silent: the failure is in the history too.
			st.History = append(st.History, meta.AlertEvent{At: res.At, State: StateNotificationFailed,
				Error: status + " notice: " + res.Error})
		}
		if err != nil || status != notify.StatusFiring {
			return
		}
		for i := range st.Instances {
			if notified[groupKey(st.Instances[i].Group)] {
				t := now.UTC()
				st.Instances[i].Notified = &t
			}
		}
	})
	if serr != nil {
		s.opts.Logger.Error("save alert notification result", "alert", a.Name, "error", serr)
	}
	return rec
}

func (s *Scheduler) deliverTo(ctx context.Context, c meta.Channel, m notify.Message) (int, error) {
	n, err := notify.New(channelConfig(c), s.opts.HTTPClient)
	if err != nil {
		return 0, err
	}
	return s.deliver.Deliver(ctx, c.Type, n, m)
}

// SendTest delivers a test notice for a through channel c (a's own when
// c is nil), with the usual retries, and records it in a's notifications
// when a is stored.
func (s *Scheduler) SendTest(ctx context.Context, a *meta.Alert, c *meta.Channel) (int, error) {
	ch := a.Channel
	if c != nil {
		ch = *c
	}
	now := s.now()
	attempts, err := s.deliverTo(ctx, ch, TestMessage(a, s.opts.ExternalURL, now))
	if a.ID != "" {
		res := meta.NotificationResult{At: now.UTC(), Status: "test", OK: err == nil, Attempts: attempts}
		if err != nil {
			res.Error = err.Error()
		}
		_, _ = s.opts.Alerts.SetStatus(a.ID, true, func(st *meta.AlertStatus) {
			st.Notifications = append(st.Notifications, res)
		})
	}
	return attempts, err
}

// Normalize validates a with the scheduler's dashboards and limits.
func (s *Scheduler) Normalize(a meta.Alert) (meta.Alert, error) {
	return Normalize(a, s.opts.Dashboards, s.opts.Limits)
}
