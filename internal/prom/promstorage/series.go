package promstorage

import (
	"math"
	"slices"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// seriesSet iterates over series already in memory.
type seriesSet struct {
	series []promSeries
	i      int
	warns  annotations.Annotations
}

func newSeriesSet(ps []promSeries, w annotations.Annotations) *seriesSet {
	return &seriesSet{series: ps, warns: w}
}

func (s *seriesSet) Next() bool {
	s.i++
	return s.i <= len(s.series)
}

func (s *seriesSet) At() storage.Series                { return &series{p: &s.series[s.i-1]} }
func (*seriesSet) Err() error                          { return nil }
func (s *seriesSet) Warnings() annotations.Annotations { return s.warns }

type series struct{ p *promSeries }

func (s *series) Labels() labels.Labels { return s.p.lset }

// Iterator returns an iterator over the series' samples: floatIter
// (reused when it is one) for a gauge's or sum's points in distinct
// milliseconds, else Prometheus's list iterator over samples computed from
// the stored points on access (sourceSamples, mergeSources).
func (s *series) Iterator(it chunkenc.Iterator) chunkenc.Iterator {
	if len(s.p.sources) == 1 {
		if src := s.p.sources[0]; plainFloats(src) {
			fi, ok := it.(*floatIter[int64])
			if !ok {
				fi = &floatIter[int64]{}
			}
			fi.reset(src.ms)
			return fi
		}
		return storage.NewListSeriesIteratorWithCopy(newSourceSamples(s.p.sources[0]))
	}
	return storage.NewListSeriesIteratorWithCopy(mergeSources(s.p.sources))
}

// msOf converts a stored ns timestamp to Prometheus milliseconds (floor).
func msOf(ns int64) int64 {
	if ns < 0 {
		return -((-ns + 999_999) / 1_000_000)
	}
	return ns / 1_000_000
}

// sourceSamples exposes a source's points as storage.Samples. Points
// without a sample, and points in the same millisecond as the next one
// (the last one wins), are left out, so timestamps strictly increase.
// Get returns a scratch sample overwritten by the next Get: the list
// iterator uses each one at once.
type sourceSamples struct {
	src *source
	pos []int32 // sample i is point pos[i]; nil: sample i is point i
	cur sample
}

func newSourceSamples(src *source) *sourceSamples {
	s := &sourceSamples{src: src, cur: sample{pos: -1}}
	times := src.ms.Times
	identity := true
	for i := range times {
		if !s.has(i) || (i+1 < len(times) && msOf(times[i+1]) == msOf(times[i])) {
			identity = false
			break
		}
	}
	if identity {
		return s
	}
	s.pos = make([]int32, 0, len(times))
	for i := range times {
		if (i+1 < len(times) && msOf(times[i+1]) == msOf(times[i])) || !s.has(i) {
			continue
		}
		s.pos = append(s.pos, int32(i))
	}
	return s
}

// has reports whether point i yields a sample.
func (s *sourceSamples) has(i int) bool {
	src := s.src
	if src.stale(i) {
		return true
	}
	if src.hist != nil {
		return src.hist(i) != nil
	}
	_, ok := src.float(i)
	return ok
}

func (s *sourceSamples) Len() int {
	if s.pos == nil {
		return len(s.src.ms.Times)
	}
	return len(s.pos)
}

func (s *sourceSamples) Get(i int) chunks.Sample {
	p := i
	if s.pos != nil {
		p = int(s.pos[i])
	}
	if s.cur.pos == p {
		return &s.cur
	}
	src := s.src
	s.cur = sample{pos: p, t: msOf(src.ms.Times[p])}
	// Start timestamps of histograms are left out, as Prometheus's TSDB
	// does (promqltest's start_timestamps.test expects them ignored).
	if src.hist == nil && len(src.ms.StartTimes) > 0 && src.ms.StartTimes[p] > 0 {
		s.cur.st = msOf(src.ms.StartTimes[p])
	}
	switch {
	case src.hist != nil && src.stale(p):
		s.cur.fh = staleHistogram
	case src.hist != nil:
		s.cur.fh = src.hist(p)
	case src.stale(p):
		s.cur.f = math.Float64frombits(value.StaleNaN)
	default:
		s.cur.f, _ = src.float(p)
	}
	return &s.cur
}

// sample implements chunks.Sample.
type sample struct {
	pos   int
	t, st int64
	f     float64
	fh    *histogram.FloatHistogram
}

func (s *sample) T() int64              { return s.t }
func (s *sample) ST() int64             { return s.st }
func (s *sample) F() float64            { return s.f }
func (*sample) H() *histogram.Histogram { return nil }
func (s *sample) FH() *histogram.FloatHistogram {
	if s.fh == nil {
		return nil
	}
	return s.fh.Copy()
}

func (s *sample) Type() chunkenc.ValueType {
	if s.fh != nil {
		return chunkenc.ValFloatHistogram
	}
	return chunkenc.ValFloat
}

func (s *sample) Copy() chunks.Sample {
	c := *s
	c.fh = s.FH()
	return &c
}

// sampleList is materialized samples (merged sources).
type sampleList []sample

func (l sampleList) Len() int                { return len(l) }
func (l sampleList) Get(i int) chunks.Sample { return &l[i] }

// mergeSources merges the samples of several stored series that translate
// to the same labels; on equal timestamps the source listed last wins.
func mergeSources(srcs []*source) sampleList {
	var out sampleList
	for _, src := range srcs {
		ss := newSourceSamples(src)
		for i := range ss.Len() {
			c := ss.Get(i).(*sample)
			out = append(out, *c)
		}
	}
	slices.SortStableFunc(out, func(a, b sample) int {
		switch {
		case a.t < b.t:
			return -1
		case a.t > b.t:
			return 1
		}
		return 0
	})
	// Keep the last of equal timestamps.
	w := 0
	for i := range out {
		if i+1 < len(out) && out[i+1].t == out[i].t {
			continue
		}
		out[w] = out[i]
		w++
	}
	return out[:w]
}

// PlainFloats returns the series' samples in place when its iterator is
// floatIter (a gauge's or sum's points in distinct milliseconds, see
// Iterator), for readers of whole series (internal/prom/promvec): times in
// ns since the epoch, ascending (the iterator's ms are floor(ns / 10⁶)),
// the values, and the flags (bit 0: no recorded value, which the iterator
// yields as a stale marker; nil: none). ok is false for any other series.
// The slices are the store's: read them, never write.
func (s *series) PlainFloats() (timesNs []int64, values []float64, flags []uint32, ok bool) {
	if len(s.p.sources) != 1 || !plainFloats(s.p.sources[0]) {
		return nil, nil, nil, false
	}
	ms := s.p.sources[0].ms
	return ms.Times, ms.Values, ms.Flags, true
}
