package overrides

// Want is n items of a signal for a tenant: one part of a request's
// admission (Limiter.Reserve).
type Want struct {
	Tenant string
	Signal Signal
	N      int
}

// Reservation is the tokens one admitted request took. Cancel gives them
// back when the request was refused after admission for a reason its
// sender will retry (memory_limiter, an unavailable store): the retry
// takes them again, so a request is paid for once. The zero value and nil
// hold nothing.
type Reservation struct {
	l     *Limiter
	taken []taken
}

type taken struct {
	b *bucket
	n float64
}

// Cancel returns the reservation's tokens (never above a bucket's burst).
// Calling it again does nothing.
func (r *Reservation) Cancel() {
	if r == nil || r.l == nil {
		return
	}
	r.l.mu.Lock()
	now := r.l.opts.Now()
	for _, t := range r.taken {
		t.b.give(t.n, now)
	}
	r.l.mu.Unlock()
	r.taken = nil
}

// Reserve admits one request holding the items of wants — several tenants
// or signals — as a whole: either every want's tokens are taken, or none
// are and the first refusal is returned (a *BatchTooLargeError before a
// *RateLimitedError: a part that can never pass is the client's error
// whatever the rest does). Wants of the same tenant and signal add up.
// Refusals are counted for the refused want.
func (l *Limiter) Reserve(wants ...Want) (*Reservation, error) {
	if l == nil {
		return nil, nil
	}
	type key struct {
		tenant string
		sig    Signal
	}
	sum := map[key]int{}
	var order []key
	for _, w := range wants {
		if w.N <= 0 {
			continue
		}
		k := key{w.Tenant, w.Signal}
		if _, ok := sum[k]; !ok {
			order = append(order, k)
		}
		sum[k] += w.N
	}
	if len(order) == 0 {
		return nil, nil
	}
	l.mu.Lock()
	now := l.opts.Now()
	var (
		res     = &Reservation{l: l}
		tooBig  *BatchTooLargeError
		limited *RateLimitedError
	)
	for _, k := range order {
		b := l.state(k.tenant, now).buckets[k.sig]
		if b == nil {
			continue
		}
		n := sum[k]
		if !b.fits(n) {
			if tooBig == nil {
				tooBig = &BatchTooLargeError{Tenant: k.tenant, Signal: k.sig, Items: n, Burst: int(b.burst),
					key: l.key(k.tenant, "ingestion::"+k.sig.String()+"_burst")}
			}
			continue
		}
		if wait := b.wait(n, now); wait > 0 {
			if limited == nil {
				limited = &RateLimitedError{Tenant: k.tenant, Signal: k.sig, Items: n, Rate: b.rate, Burst: int(b.burst),
					RetryAfter: retryAfter(wait), key: l.key(k.tenant, "ingestion::"+k.sig.String()+"_per_second")}
			}
			continue
		}
		res.taken = append(res.taken, taken{b, float64(n)})
	}
	if tooBig == nil && limited == nil {
		for _, t := range res.taken {
			t.b.tokens -= t.n
		}
		l.mu.Unlock()
		return res, nil
	}
	l.mu.Unlock()
	if tooBig != nil {
		l.CountRefused(tooBig.Tenant, tooBig.Signal, ReasonBatchSize, tooBig.Items)
		return nil, tooBig
	}
	l.CountRefused(limited.Tenant, limited.Signal, ReasonRateLimited, limited.Items)
	return nil, limited
}
