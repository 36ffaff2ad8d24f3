package overrides

import (
	"math"
	"time"
)

// bucket is a token bucket: rate tokens a second, holding at most burst,
// full when created. Not safe for concurrent use (the Limiter locks).
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	b := float64(burst)
	if burst <= 0 {
		// No burst configured: one second of the rate (at least one item).
		b = max(math.Ceil(rate), 1)
	}
	return &bucket{rate: rate, burst: b, tokens: b, last: now}
}

// refill adds the tokens earned since the last call. A clock that went
// backwards earns nothing.
func (b *bucket) refill(now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.burst, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
}

// wait refills the bucket and returns how long until it holds n tokens
// (0: it holds them now). It takes nothing. n above the burst never fits:
// the caller checks fits first.
func (b *bucket) wait(n int, now time.Time) time.Duration {
	b.refill(now)
	need := float64(n)
	if need <= b.tokens {
		return 0
	}
	secs := (need - b.tokens) / b.rate
	return time.Duration(math.Ceil(secs * float64(time.Second)))
}

// give returns n tokens taken before (never above the burst).
func (b *bucket) give(n float64, now time.Time) {
	b.refill(now)
	b.tokens = min(b.burst, b.tokens+n)
}

// fits reports whether n items can ever pass.
func (b *bucket) fits(n int) bool { return float64(n) <= b.burst }

// full reports whether the bucket is back at its burst: forgetting it then
// loses nothing, a new one starts the same.
func (b *bucket) full(now time.Time) bool {
	b.refill(now)
	return b.tokens >= b.burst
}
