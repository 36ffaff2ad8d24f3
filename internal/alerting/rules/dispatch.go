package rules

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	promrules "github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/util/strutil"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
)

// Channel is a built-in notification channel for rule alerts (webhook
// with the Alertmanager webhook payload, Slack incoming webhook, or a
// templated body), for teams without an Alertmanager.
type Channel struct {
	// Name names the channel in logs and in the payload's receiver
	// ("overlook/<name>").
	Name string
	notify.ChannelConfig
}

// dispatcher sends the rule engine's alerts to one channel, grouped by
// label values: a firing notice when a group gains a firing alert or
// its repeat interval elapsed, a resolved notice when alerts resolve.
// A notice not delivered (after the Deliverer's retries) is sent again
// at the next flush. State is in memory.
type dispatcher struct {
	name     string
	typ      string
	n        notify.Notifier
	deliver  *notify.Deliverer
	groupBy  []string // "..." alone: every label
	repeat   time.Duration
	extURL   string
	extLbls  labels.Labels
	logger   *slog.Logger
	now      func() time.Time
	mu       sync.Mutex
	groups   map[string]*alertGroup
	wake     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	interval time.Duration
	status   ChannelStatus // counts and last deliveries (channel_status.go)
}

type alertGroup struct {
	labels map[string]string
	alerts map[string]*dispatchedAlert // by fingerprint
	// notified: fingerprints of the last delivered firing notice.
	notified  map[string]bool
	lastFired time.Time
}

type dispatchedAlert struct {
	a          notify.Alert
	sortKey    string // the labels, for a stable order in notices
	validUntil time.Time
	resolvedAt time.Time
}

func newDispatcher(c Channel, cfg Config, ext labels.Labels, d *notify.Deliverer, client *http.Client, logger *slog.Logger) (*dispatcher, error) {
	n, err := notify.New(c.ChannelConfig, client)
	if err != nil {
		return nil, fmt.Errorf("alerting::channels %q: %w", c.Name, err)
	}
	return &dispatcher{name: c.Name, typ: c.Type, n: n, deliver: d, groupBy: cfg.GroupBy, repeat: cfg.RepeatInterval,
		extURL: cfg.ExternalURL, extLbls: ext, logger: logger.With("channel", c.Name), now: time.Now,
		groups: map[string]*alertGroup{}, wake: make(chan struct{}, 1), interval: cfg.EvaluationInterval}, nil
}

// observe takes the alerts the rules engine sends after an evaluation
// (only those due for sending: new, resolved, or every resend_delay).
func (d *dispatcher) observe(expr string, alerts []*promrules.Alert) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, pa := range alerts {
		lbls := labels.NewBuilder(pa.Labels)
		d.extLbls.Range(func(l labels.Label) {
			if pa.Labels.Get(l.Name) == "" {
				lbls.Set(l.Name, l.Value)
			}
		})
		lm := lbls.Labels().Map()
		fp := notify.Fingerprint(lm)
		key, gl := d.groupOf(lm)
		g := d.groups[key]
		if !pa.ResolvedAt.IsZero() {
			if g == nil || g.alerts[fp] == nil {
				continue // resolved before we knew it, or already notified
			}
			if e := g.alerts[fp]; e.resolvedAt.IsZero() {
				e.resolvedAt = pa.ResolvedAt
			}
			continue
		}
		if g == nil {
			g = &alertGroup{labels: gl, alerts: map[string]*dispatchedAlert{}, notified: map[string]bool{}}
			d.groups[key] = g
		}
		e := g.alerts[fp]
		if e == nil {
			e = &dispatchedAlert{}
			g.alerts[fp] = e
		}
		e.a = notify.Alert{Status: notify.StatusFiring, Labels: lm, Annotations: pa.Annotations.Map(),
			StartsAt: pa.FiredAt.UTC(), GeneratorURL: d.extURL + strutil.TableLinkForExpression(expr), Fingerprint: fp}
		e.sortKey = pa.Labels.String()
		e.validUntil = pa.ValidUntil
		e.resolvedAt = time.Time{}
	}
}

// groupOf returns the group key and group labels of an alert's labels.
func (d *dispatcher) groupOf(lm map[string]string) (string, map[string]string) {
	gl := map[string]string{}
	if len(d.groupBy) == 1 && d.groupBy[0] == "..." {
		for k, v := range lm {
			gl[k] = v
		}
	} else {
		for _, n := range d.groupBy {
			if v, ok := lm[n]; ok {
				gl[n] = v
			}
		}
	}
	return labels.FromMap(gl).String(), gl
}

// notice is a notice to deliver and what to record when it is.
type notice struct {
	key    string
	status string
	fps    []string
	msg    notify.Message
}

// due returns the notices due at now: for each group, a resolved notice
// of the alerts resolved since they were notified firing, and a firing
// notice when a firing alert is not notified yet or the repeat interval
// elapsed.
func (d *dispatcher) due(now time.Time) []notice {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []notice
	keys := make([]string, 0, len(d.groups))
	for k := range d.groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		g := d.groups[key]
		var firing, resolved []string
		for fp, e := range g.alerts {
			if e.resolvedAt.IsZero() && !e.validUntil.IsZero() && now.After(e.validUntil) {
				// No longer sent by the engine (rule removed): resolved
				// when it expires, as in Alertmanager.
				e.resolvedAt = e.validUntil
			}
			switch {
			case e.resolvedAt.IsZero():
				firing = append(firing, fp)
			case !g.notified[fp]:
				delete(g.alerts, fp) // never notified firing: nothing to resolve
			case now.Sub(e.resolvedAt) > d.repeat:
				d.logger.Error("resolved notice of a rule alert not delivered within alerting::repeat_interval; given up",
					"alertname", e.a.Labels["alertname"], "fingerprint", fp)
				delete(g.alerts, fp)
				delete(g.notified, fp)
			default:
				resolved = append(resolved, fp)
			}
		}
		byLabels := func(fps []string) {
			sort.Slice(fps, func(i, j int) bool { return g.alerts[fps[i]].sortKey < g.alerts[fps[j]].sortKey })
		}
		if len(resolved) > 0 {
			byLabels(resolved)
			alerts := make([]notify.Alert, 0, len(resolved))
			for _, fp := range resolved {
				a := g.alerts[fp].a
				a.Status, a.EndsAt = notify.StatusResolved, g.alerts[fp].resolvedAt.UTC()
				alerts = append(alerts, a)
			}
			out = append(out, notice{key: key, status: notify.StatusResolved, fps: resolved,
				msg: notify.NewMessage("overlook/"+d.name, notify.StatusResolved, d.extURL, g.labels, alerts)})
		}
		fresh := false
		for _, fp := range firing {
			fresh = fresh || !g.notified[fp]
		}
		if len(firing) > 0 && (fresh || now.Sub(g.lastFired) >= d.repeat) {
			byLabels(firing)
			alerts := make([]notify.Alert, 0, len(firing))
			for _, fp := range firing {
				alerts = append(alerts, g.alerts[fp].a)
			}
			out = append(out, notice{key: key, status: notify.StatusFiring, fps: firing,
				msg: notify.NewMessage("overlook/"+d.name, notify.StatusFiring, d.extURL, g.labels, alerts)})
		}
		if len(g.alerts) == 0 {
			delete(d.groups, key)
		}
	}
	return out
}

// delivered records a notice as delivered at now.
func (d *dispatcher) delivered(n notice, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	g := d.groups[n.key]
	if g == nil {
		return
	}
	for _, fp := range n.fps {
		if n.status == notify.StatusFiring {
			g.notified[fp] = true
			continue
		}
		if e := g.alerts[fp]; e != nil && !e.resolvedAt.IsZero() {
			delete(g.alerts, fp)
			delete(g.notified, fp)
		}
	}
	if n.status == notify.StatusFiring {
		g.lastFired = now
	}
	if len(g.alerts) == 0 {
		delete(d.groups, n.key)
	}
}

// flush delivers the notices due now; failed ones stay due.
func (d *dispatcher) flush(ctx context.Context) {
	for _, n := range d.due(d.now()) {
		attempts, err := d.deliver.Deliver(ctx, d.typ, d.n, n.msg)
		d.record(n, d.now(), attempts, err)
		if err != nil {
			d.logger.Error("rule alert notice not delivered; retried at the next evaluation",
				"status", n.status, "group", n.msg.GroupKey, "attempts", attempts, "err", err)
			continue
		}
		d.delivered(n, d.now())
	}
}

// start runs the delivery loop: a flush after every evaluation that
// sent alerts (signal), and every evaluation interval.
func (d *dispatcher) start() {
	d.stop, d.done = make(chan struct{}), make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-d.stop
		cancel()
	}()
	go func() {
		defer close(d.done)
		t := time.NewTicker(d.interval)
		defer t.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-d.wake:
			case <-t.C:
			}
			d.flush(ctx)
		}
	}()
}

// signal asks the loop for a flush; it never blocks the evaluation.
func (d *dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// halt stops the loop; a delivery in flight is cancelled.
func (d *dispatcher) halt() {
	if d.stop == nil {
		return
	}
	close(d.stop)
	<-d.done
}

// notifyFunc sends the engine's alerts to Prometheus's notifier (when
// send is set) and to every channel.
func notifyFunc(send promrules.NotifyFunc, ds []*dispatcher) promrules.NotifyFunc {
	return func(ctx context.Context, expr string, alerts ...*promrules.Alert) {
		if send != nil {
			send(ctx, expr, alerts...)
		}
		for _, d := range ds {
			d.observe(expr, alerts)
			d.signal()
		}
	}
}
