package promcache

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/overlook-dev/overlook/internal/store/metricgen"
)

// cachedQuery is a cacheable range query. The embedded Query is the whole
// query of the normal path: its statement and string, and its evaluation
// when nothing is cached or a part fails.
type cachedQuery struct {
	promql.Query
	e    *Engine
	q    storage.Queryable
	opts promql.QueryOpts
	qs   string
	plan shape

	mu     sync.Mutex
	cancel context.CancelFunc
	parts  []promql.Query // evaluated sub-ranges, closed with the query
}

// segment is a run of consecutive steps [first, last]: taken from a
// bucket, or evaluated (b == nil).
type segment struct {
	first, last int64
	b           *bucket
}

// Exec answers from the cache what it can and evaluates the rest.
func (c *cachedQuery) Exec(ctx context.Context) *promql.Result {
	p, cache, gens := c.plan, c.e.cache, c.e.gens
	// Read before anything is evaluated: a bucket is kept only while no
	// hour it read is written after this (see internal/store/metricgen).
	seq := gens.Seq()
	segs := c.lookup()
	m := cache.opts.Metrics
	if len(segs) == 1 && segs[0].b == nil {
		// Nothing cached: the normal path, whole.
		res := c.Query.Exec(ctx)
		if m != nil {
			m.Queries.WithLabelValues("miss").Inc()
			m.Steps.WithLabelValues("evaluated").Add(float64((p.end-p.start)/p.step + 1))
		}
		if res.Err == nil && len(res.Warnings) == 0 {
			if mat, ok := res.Value.(promql.Matrix); ok {
				c.store(mat, p.start, p.end, seq)
			}
		}
		return res
	}
	pctx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
	defer cancel()
	var (
		warns     annotations.Annotations
		mats      = make([]promql.Matrix, len(segs))
		evaluated int64
	)
	for i, s := range segs {
		if s.b != nil {
			continue
		}
		res, ok := c.evaluate(pctx, s.first, s.last)
		if !ok {
			if res != nil {
				return res // timed out or canceled: so would the whole query
			}
			// A part failed: the whole query, for the engine's own error
			// (or answer).
			return c.Query.Exec(ctx)
		}
		mats[i] = res.Value.(promql.Matrix)
		warns.Merge(res.Warnings)
		evaluated += (s.last-s.first)/p.step + 1
		if len(res.Warnings) == 0 {
			c.store(mats[i], s.first, s.last, seq)
		}
	}
	if m != nil {
		outcome := "hit"
		if evaluated > 0 {
			outcome = "partial"
		}
		m.Queries.WithLabelValues(outcome).Inc()
		m.Steps.WithLabelValues("evaluated").Add(float64(evaluated))
		m.Steps.WithLabelValues("cached").Add(float64((p.end-p.start)/p.step + 1 - evaluated))
	}
	return &promql.Result{Value: join(segs, mats), Warnings: warns}
}

// evaluate runs the steps [first, last] through the normal path; ok is
// false when it failed (res is then the error to return, or nil: evaluate
// the whole query instead).
func (c *cachedQuery) evaluate(ctx context.Context, first, last int64) (*promql.Result, bool) {
	q, err := c.e.next.NewRangeQuery(ctx, c.q, c.opts, c.qs, time.UnixMilli(first), time.UnixMilli(last),
		time.Duration(c.plan.step)*time.Millisecond)
	if err != nil {
		return nil, false
	}
	c.mu.Lock()
	c.parts = append(c.parts, q)
	c.mu.Unlock()
	res := q.Exec(ctx)
	if res.Err != nil {
		var timeout promql.ErrQueryTimeout
		var canceled promql.ErrQueryCanceled
		if ctx.Err() != nil || errors.As(res.Err, &timeout) || errors.As(res.Err, &canceled) {
			return &promql.Result{Err: res.Err, Warnings: res.Warnings}, false
		}
		return nil, false
	}
	if _, ok := res.Value.(promql.Matrix); !ok {
		return nil, false
	}
	return res, true
}

// lookup cuts the query's steps into segments: runs of hours whose current
// buckets cover them, and runs to evaluate. An evaluated run has at least
// two steps (a range query of one step is evaluated as an instant query,
// which differs: step() is 0, no range-query infos): a lone missing step
// takes a neighbouring cached step with it.
func (c *cachedQuery) lookup() []segment {
	p, cache, gens := c.plan, c.e.cache, c.e.gens
	var segs []segment
	add := func(first, last int64, b *bucket) {
		if n := len(segs); n > 0 && b == nil && segs[n-1].b == nil {
			segs[n-1].last = last
			return
		}
		segs = append(segs, segment{first, last, b})
	}
	for t := p.start; t <= p.end; {
		h := metricgen.HourOfMs(t)
		last := min(p.end, c.lastStepIn(h))
		b := cache.get(bucketKey{p.key, h}, t, last, gens)
		add(t, last, b)
		t = last + p.step
	}
	for i := range segs {
		s := &segs[i]
		if s.b != nil || s.first != s.last {
			continue
		}
		switch {
		case i > 0 && segs[i-1].last > segs[i-1].first:
			segs[i-1].last -= p.step
			s.first -= p.step
		case i+1 < len(segs) && segs[i+1].last > segs[i+1].first:
			segs[i+1].first += p.step
			s.last += p.step
		default:
			// Cached neighbours of one step each (or none): evaluate
			// everything.
			return []segment{{first: p.start, last: p.end}}
		}
	}
	return segs
}

// lastStepIn is the last step of the query's grid in hour h.
func (c *cachedQuery) lastStepIn(h int64) int64 {
	p := c.plan
	end := (h+1)*metricgen.HourMs - 1
	return p.start + (end-p.start)/p.step*p.step
}

// store keeps the buckets of mat (the result at steps first..last) whose
// hours of data are sealed and unchanged since seq.
func (c *cachedQuery) store(mat promql.Matrix, first, last int64, seq uint64) {
	p, cache, gens := c.plan, c.e.cache, c.e.gens
	var total int64
	var out []*bucket
	for t := first; t <= last; {
		h := metricgen.HourOfMs(t)
		bl := min(last, c.lastStepIn(h))
		b := &bucket{key: bucketKey{p.key, h}, first: t, last: bl,
			winFirst: metricgen.HourOfMs(t - p.before), winLast: metricgen.HourOfMs(bl + p.after), seq: seq}
		t = bl + p.step
		if !cache.sealed(b.winLast) || gens.Newest(b.winFirst, b.winLast) > seq {
			continue // open hours, or written while evaluated
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return
	}
	// Slice each series' points into the buckets (both in time order).
	for _, se := range mat {
		fi, hi := 0, 0
		for _, b := range out {
			for fi < len(se.Floats) && se.Floats[fi].T < b.first {
				fi++
			}
			for hi < len(se.Histograms) && se.Histograms[hi].T < b.first {
				hi++
			}
			fj, hj := fi, hi
			for fj < len(se.Floats) && se.Floats[fj].T <= b.last {
				fj++
			}
			for hj < len(se.Histograms) && se.Histograms[hj].T <= b.last {
				hj++
			}
			if fj == fi && hj == hi {
				continue
			}
			cs := promql.Series{Metric: se.Metric, DropName: se.DropName}
			if fj > fi {
				cs.Floats = append([]promql.FPoint(nil), se.Floats[fi:fj]...)
			}
			if hj > hi {
				cs.Histograms = make([]promql.HPoint, hj-hi)
				for k, hp := range se.Histograms[hi:hj] {
					cs.Histograms[k] = promql.HPoint{T: hp.T, H: hp.H.Copy()}
				}
			}
			b.series = append(b.series, cs)
			b.bytes += seriesBytes(&cs)
			fi, hi = fj, hj
		}
	}
	for _, b := range out {
		b.bytes += bucketOverhead
		total += b.bytes
	}
	// One query may take at most a quarter of the cache: a huge result
	// must not flush everything else.
	if total > cache.opts.MaxBytes/4 {
		return
	}
	for _, b := range out {
		cache.put(b, gens)
	}
}

// join joins the segments' series in time order: each series' points in
// segment order (cached buckets trimmed to their segment), the series
// sorted by labels as the engine sorts a range query's. Every slice is
// new: cached buckets are shared, the evaluated parts are closed after.
func join(segs []segment, mats []promql.Matrix) promql.Matrix {
	var (
		out   promql.Matrix
		index = map[uint64][]int{}
	)
	add := func(se promql.Series, first, last int64) {
		fs, hs := trimF(se.Floats, first, last), trimH(se.Histograms, first, last)
		if len(fs) == 0 && len(hs) == 0 {
			return
		}
		h := se.Metric.Hash()
		j := -1
		for _, k := range index[h] {
			if labels.Equal(out[k].Metric, se.Metric) && out[k].DropName == se.DropName {
				j = k
				break
			}
		}
		if j < 0 {
			j = len(out)
			index[h] = append(index[h], j)
			out = append(out, promql.Series{Metric: se.Metric, DropName: se.DropName})
		}
		out[j].Floats = append(out[j].Floats, fs...)
		out[j].Histograms = append(out[j].Histograms, hs...)
	}
	for i, s := range segs {
		if s.b != nil {
			for _, se := range s.b.series {
				add(se, s.first, s.last)
			}
			continue
		}
		for _, se := range mats[i] {
			add(se, s.first, s.last)
		}
	}
	sort.Sort(out)
	return out
}

func trimF(ps []promql.FPoint, first, last int64) []promql.FPoint {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].T >= first })
	j := sort.Search(len(ps), func(i int) bool { return ps[i].T > last })
	return ps[i:j]
}

func trimH(ps []promql.HPoint, first, last int64) []promql.HPoint {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].T >= first })
	j := sort.Search(len(ps), func(i int) bool { return ps[i].T > last })
	return ps[i:j]
}

// Cancel stops the running evaluation.
func (c *cachedQuery) Cancel() {
	c.mu.Lock()
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	c.Query.Cancel()
}

// Close releases the evaluated parts' and the whole query's memory.
func (c *cachedQuery) Close() {
	c.mu.Lock()
	parts := c.parts
	c.parts = nil
	c.mu.Unlock()
	for _, q := range parts {
		q.Close()
	}
	c.Query.Close()
}
