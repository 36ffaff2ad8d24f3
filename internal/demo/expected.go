package demo

import (
	"encoding/hex"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Counts describes generated data: what tests expect to find after the
// backfill (Expected).
type Counts struct {
	Traces     int
	Spans      int
	ErrorSpans int // StatusCode Error
	RUMSpans   int // frontend-web (browser) spans
	Logs       int
	ErrorLogs  int // SeverityText ERROR
	// CacheFullLogs are the payment service's "Visa cache full: cannot add
	// new item." records (MsgCacheFull).
	CacheFullLogs int
	// ChargeFailLogs are checkout's "failed to charge card: …" records.
	ChargeFailLogs int
	// OrderFailedLogs are frontend's "Failed to place order: …" records.
	OrderFailedLogs int
	// VisaCharges are payment Charge server spans with card type visa;
	// FailedVisaCharges those that failed (cache full).
	VisaCharges, FailedVisaCharges int
	// SlowCharges are payment Charge server spans over 200 ms;
	// SlowVisaCharges those with card type visa (Event Deltas' story).
	SlowCharges, SlowVisaCharges int
	// SpansByService and ErrorSpansByService count spans per ServiceName.
	SpansByService, ErrorSpansByService map[string]int
	LogsByService                       map[string]int
	// Points counts metric data points per metric name.
	Points map[string]int
	// MaxCacheSize is the largest visa_validation_cache.size reported.
	MaxCacheSize int64
	// FailedOrderTrace is the TraceId (hex) of the first checkout that
	// failed on a full visa cache; empty when none did.
	FailedOrderTrace string
}

func (c *Counts) init() {
	if c.SpansByService == nil {
		c.SpansByService, c.ErrorSpansByService = map[string]int{}, map[string]int{}
		c.LogsByService, c.Points = map[string]int{}, map[string]int{}
	}
}

func (c *Counts) addTrace(tr *genTrace) {
	c.init()
	c.Traces++
	c.Spans += len(tr.spans)
	for i := range tr.spans {
		sp := &tr.spans[i]
		name := services[sp.svc].name
		c.SpansByService[name]++
		if sp.svc == svcWeb {
			c.RUMSpans++
		}
		if sp.status == ptrace.StatusCodeError {
			c.ErrorSpans++
			c.ErrorSpansByService[name]++
		}
		if sp.svc == svcPayment && sp.kind == ptrace.SpanKindServer && sp.end.Sub(sp.start) > 200*time.Millisecond {
			c.SlowCharges++
			if attrString(sp.attrs, "app.payment.card_type") == "visa" {
				c.SlowVisaCharges++
			}
		}
		if sp.svc == svcPayment && sp.kind == ptrace.SpanKindServer && attrString(sp.attrs, "app.payment.card_type") == "visa" {
			c.VisaCharges++
			if sp.status == ptrace.StatusCodeError {
				c.FailedVisaCharges++
				if c.FailedOrderTrace == "" {
					c.FailedOrderTrace = hex.EncodeToString(tr.id[:])
				}
			}
		}
	}
	c.Logs += len(tr.logs)
	for _, l := range tr.logs {
		c.LogsByService[services[tr.spans[l.span].svc].name]++
		if l.sev == sevError {
			c.ErrorLogs++
		}
		switch l.body {
		case MsgCacheFull:
			c.CacheFullLogs++
		case MsgChargeFail:
			c.ChargeFailLogs++
		case MsgOrderFailed:
			c.OrderFailedLogs++
		}
	}
}

func (c *Counts) addPoints(pts []point) {
	c.init()
	for _, p := range pts {
		c.Points[p.metric]++
		if p.metric == CacheMetric {
			c.MaxCacheSize = max(c.MaxCacheSize, int64(p.value))
		}
	}
}

// Expected returns what the backfill of cfg sends, and the time range it
// covers, [from, to): cfg.Now must be set for the answer to be the one a
// server started with cfg gets. Spans of the last requests may end (and
// consumers start) a few seconds after to; logs and spans all start
// before to+10s.
func Expected(cfg Config) (c Counts, from, to time.Time) {
	g := newGenerator(cfg, cfg.now(time.Now()))
	from, to = g.backfillRange()
	var p pending
	for t := from; t.Before(to); t = t.Add(time.Second) {
		g.slot(t, g.cfg.BackfillRate, &p)
		p = pending{}
	}
	g.counts.init()
	return g.counts, from, to
}
