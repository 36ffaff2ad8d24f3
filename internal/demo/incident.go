package demo

import (
	"math"
	"time"
)

// The incident, as in the OpenTelemetry demo's paymentCacheLeak flag: the
// payment service adds every visa card it validates to an in-memory cache
// that never evicts. The cache grows to its limit (100,000 items) over
// Fill; visa charges get slower as it grows (a linear scan), memory and CPU
// climb; once it is full every visa charge fails with "Visa cache full:
// cannot add new item."; after Full the pod is OOM-killed and replaced by a
// new one with an empty cache, and the cycle starts again.

// Messages of the incident, as the services log and report them.
const (
	MsgCacheFull   = "Visa cache full: cannot add new item."
	MsgChargeFail  = "failed to charge card: could not charge the card: rpc error: code = Unknown desc = " + MsgCacheFull
	MsgOrderFailed = "Failed to place order: rpc error: code = Internal desc = " + MsgChargeFail
	// CacheMetric is the gauge of the cache's size on the payment service.
	CacheMetric = "visa_validation_cache.size"
)

// incident computes the incident's state at any time.
type incident struct {
	anchor     time.Time // start of cycle 0
	fill, full time.Duration
}

func (c Config) incident(now time.Time) incident {
	return incident{anchor: now.Add(-c.Backfill), fill: c.Incident.Fill, full: c.Incident.Full}
}

// state is the incident at one time.
type state struct {
	cycle int     // restarts since the anchor: the payment pod's generation
	fill  float64 // cache size / limit, 0..1
	full  bool    // the cache is full: visa charges fail
	since time.Duration
}

func (in incident) at(t time.Time) state {
	period := in.fill + in.full
	d := t.Sub(in.anchor)
	cycle := int(math.Floor(float64(d) / float64(period)))
	since := d - time.Duration(cycle)*period
	s := state{cycle: cycle, since: since}
	if since >= in.fill {
		s.fill, s.full = 1, true
	} else {
		s.fill = float64(since) / float64(in.fill)
	}
	return s
}

// cycleStart is when cycle starts (the payment pod's start).
func (in incident) cycleStart(cycle int) time.Time {
	return in.anchor.Add(time.Duration(cycle) * (in.fill + in.full))
}

// cacheSize is the cache's item count: monotone within a cycle, reaching
// exactly maxCacheLen when full.
func (s state) cacheSize() int64 {
	if s.full {
		return maxCacheLen
	}
	return int64(s.fill * maxCacheLen)
}

// visaDelay is the time a visa charge spends in the cache: grows with the
// cache, up to ≈ 1.2 s just before it fills.
func (s state) visaDelay() time.Duration {
	return time.Duration(s.fill * s.fill * float64(1200*time.Millisecond))
}

// paymentMemMiB is the payment pod's memory: the cache holds ≈ 3 KiB an
// item on top of the process's own.
func (s state) paymentMemMiB() float64 {
	return services[svcPayment].memMiB + s.fill*300
}
