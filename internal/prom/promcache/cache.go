package promcache

import (
	"container/list"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"

	"github.com/overlook-dev/overlook/internal/store/metricgen"
	"github.com/overlook-dev/overlook/internal/telemetry"
)

// DefaultSealMargin is how long after its end an hour counts as sealed:
// results over it are kept. Later writes into a sealed hour are still
// seen (they bump its generation and drop the results that read it); the
// margin only keeps the cache from storing what the next scrape or export
// batch would invalidate at once.
const DefaultSealMargin = 5 * time.Minute

// Options configure a Cache. Zero values are documented per field.
type Options struct {
	// MaxBytes bounds the cached results (an estimate of their memory:
	// labels, points, histograms, bookkeeping). Required, > 0.
	MaxBytes int64
	// SealMargin: see DefaultSealMargin (zero: that).
	SealMargin time.Duration
	// Metrics counts hits, misses and bytes; nil: not counted.
	Metrics *telemetry.PromQLCacheMetrics
	// Now is the clock that decides which hours are sealed; nil: time.Now.
	Now func() time.Time
}

// Cache holds the step-aligned results of PromQL range queries per hour
// of step time ("buckets"), least recently used first out. One Cache may
// serve every tenant of the process: the tenant and the store's generation
// tracker are part of every key. It is safe for concurrent use.
type Cache struct {
	opts Options

	mu    sync.Mutex
	lru   list.List // of *bucket, most recently used at the front
	items map[bucketKey]*list.Element
	bytes int64
}

// New returns an empty cache.
func New(opts Options) *Cache {
	if opts.SealMargin <= 0 {
		opts.SealMargin = DefaultSealMargin
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Cache{opts: opts, items: map[bucketKey]*list.Element{}}
	if m := opts.Metrics; m != nil {
		m.MaxBytes.Set(float64(opts.MaxBytes))
	}
	return c
}

// queryKey identifies the results of one query shape: two range queries
// with equal keys have equal values at every step time they share.
type queryKey struct {
	tenant   string
	tracker  uint64 // metricgen.Tracker.ID of the store read
	expr     string // the parsed expression, printed
	step     int64  // ms
	align    int64  // start mod step, ms
	lookback int64  // the statement's lookback delta, ms
}

// bucketKey is one hour of a query's steps.
type bucketKey struct {
	q    queryKey
	hour int64
}

// bucket is the result of a query at its steps first..last (inclusive, on
// the query's grid), all in one hour. It read the store's hours
// winFirst..winLast, and was evaluated after the tracker's sequence was
// seq: it is current while Newest(winFirst, winLast) ≤ seq.
type bucket struct {
	key               bucketKey
	first, last       int64
	winFirst, winLast int64
	seq               uint64
	series            []promql.Series // owned: never returned to the engine's pools
	bytes             int64
}

// get returns the bucket of k if it is current and covers [first, last];
// a bucket no longer current is dropped.
func (c *Cache) get(k bucketKey, first, last int64, gens *metricgen.Tracker) *bucket {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return nil
	}
	b := el.Value.(*bucket)
	if gens.Newest(b.winFirst, b.winLast) > b.seq {
		c.remove(el)
		if m := c.opts.Metrics; m != nil {
			m.Stale.Inc()
		}
		return nil
	}
	if b.first > first || b.last < last {
		return nil
	}
	c.lru.MoveToFront(el)
	return b
}

// put stores b unless a current bucket for its key covers more steps, and
// evicts the least recently used buckets past MaxBytes.
func (c *Cache) put(b *bucket, gens *metricgen.Tracker) {
	if b.bytes > c.opts.MaxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[b.key]; ok {
		old := el.Value.(*bucket)
		if gens.Newest(old.winFirst, old.winLast) <= old.seq && old.last-old.first > b.last-b.first {
			return
		}
		c.remove(el)
	}
	c.items[b.key] = c.lru.PushFront(b)
	c.bytes += b.bytes
	for c.bytes > c.opts.MaxBytes {
		c.remove(c.lru.Back())
		if m := c.opts.Metrics; m != nil {
			m.Evictions.Inc()
		}
	}
	c.gauges()
}

func (c *Cache) remove(el *list.Element) {
	b := el.Value.(*bucket)
	c.lru.Remove(el)
	delete(c.items, b.key)
	c.bytes -= b.bytes
	c.gauges()
}

func (c *Cache) gauges() {
	if m := c.opts.Metrics; m != nil {
		m.Bytes.Set(float64(c.bytes))
		m.Entries.Set(float64(len(c.items)))
	}
}

// Bytes is the estimated size of the cached results.
func (c *Cache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// sealed reports whether hour h (metricgen hours) has ended at least the
// seal margin ago.
func (c *Cache) sealed(h int64) bool {
	end := time.UnixMilli((h + 1) * metricgen.HourMs)
	return !c.opts.Now().Before(end.Add(c.opts.SealMargin))
}

// Sizes of the estimate (64-bit): a series header, a label's strings'
// headers, a point; a bucket's bookkeeping (list element, map entry, key).
const (
	seriesOverhead = 80
	labelOverhead  = 32
	fpointBytes    = 16
	hpointBytes    = 16
	bucketOverhead = 256
)

// seriesBytes estimates the memory of a cached series.
func seriesBytes(s *promql.Series) int64 {
	n := int64(seriesOverhead + fpointBytes*len(s.Floats) + hpointBytes*len(s.Histograms))
	s.Metric.Range(func(l labels.Label) { n += int64(labelOverhead + len(l.Name) + len(l.Value)) })
	for _, p := range s.Histograms {
		if p.H != nil {
			n += int64(p.H.Size())
		}
	}
	return n
}
