package promstorage

// A measurement for issue 10, test-only: how fast would
// `sum by (job) (rate(x_total[5m]))` over 24 h × 1k series be if the
// metrics were kept as Prometheus XOR chunks per series? The store is
// read once through Queryable, every series is encoded into chunkenc XOR
// chunks of samplesPerChunk samples (as Prometheus's head cuts them), and
// the same engine runs the same queries over a storage.Queryable on those
// chunks, interleaved with the DuckDB-backed path (docs/benchmarks.md,
// "Issue 10: PromQL over per-series XOR chunks").

import (
	"context"
	"fmt"
	"math"
	"runtime/pprof"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"

	"github.com/overlook-dev/overlook/internal/prom/promsplit"
)

// samplesPerChunk is Prometheus's head target of samples per XOR chunk.
const samplesPerChunk = 120

// rawSeries is one series' samples as read from the store.
type rawSeries struct {
	lset labels.Labels
	ts   []int64
	vs   []float64
}

// xorChunk is one encoded chunk and the times of its first and last sample.
type xorChunk struct {
	mint, maxt int64
	c          *chunkenc.XORChunk
}

// chunkSeries is one series kept as XOR chunks in time order.
type chunkSeries struct {
	lset labels.Labels
	chks []xorChunk
}

// encodeChunks encodes every series into XOR chunks of at most per samples.
func encodeChunks(raw []rawSeries, per int) ([]chunkSeries, error) {
	out := make([]chunkSeries, 0, len(raw))
	for _, r := range raw {
		cs := chunkSeries{lset: r.lset}
		for i := 0; i < len(r.ts); i += per {
			j := min(i+per, len(r.ts))
			c := chunkenc.NewXORChunk()
			app, err := c.Appender()
			if err != nil {
				return nil, fmt.Errorf("chunk appender: %w", err)
			}
			for k := i; k < j; k++ {
				app.Append(0, r.ts[k], r.vs[k])
			}
			c.Compact()
			cs.chks = append(cs.chks, xorChunk{mint: r.ts[i], maxt: r.ts[j-1], c: c})
		}
		out = append(out, cs)
	}
	return out, nil
}

// readRaw reads every series matching ms in [mint, maxt] through q.
func readRaw(q storage.Queryable, mint, maxt int64, ms ...*labels.Matcher) ([]rawSeries, error) {
	qr, err := q.Querier(mint, maxt)
	if err != nil {
		return nil, fmt.Errorf("querier: %w", err)
	}
	defer qr.Close()
	ss := qr.Select(context.Background(), true, &storage.SelectHints{Start: mint, End: maxt}, ms...)
	var out []rawSeries
	var it chunkenc.Iterator
	for ss.Next() {
		s := ss.At()
		r := rawSeries{lset: s.Labels()}
		it = s.Iterator(it)
		for vt := it.Next(); vt != chunkenc.ValNone; vt = it.Next() {
			if vt != chunkenc.ValFloat {
				return nil, fmt.Errorf("series %s: sample type %v, want float", r.lset, vt)
			}
			t, v := it.At()
			r.ts = append(r.ts, t)
			r.vs = append(r.vs, v)
		}
		if err := it.Err(); err != nil {
			return nil, fmt.Errorf("series %s: %w", r.lset, err)
		}
		out = append(out, r)
	}
	if err := ss.Err(); err != nil {
		return nil, fmt.Errorf("select: %w", err)
	}
	return out, nil
}

// chunkQueryable is a storage.Queryable over series kept as XOR chunks,
// sorted by labels. It is read-only and safe for concurrent use.
type chunkQueryable struct{ series []chunkSeries }

func (q *chunkQueryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return &chunkQuerier{q: q, mint: mint, maxt: maxt}, nil
}

type chunkQuerier struct {
	q          *chunkQueryable
	mint, maxt int64
}

// Select returns the series matching ms with the chunks that overlap the
// hints' range (else the querier's); series without one are left out.
func (q *chunkQuerier) Select(_ context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	start, end := q.mint, q.maxt
	if hints != nil {
		start, end = hints.Start, hints.End
	}
	var out []storage.Series
	for i := range q.q.series {
		s := &q.q.series[i]
		if !matchesSet(ms, s.lset) {
			continue
		}
		lo, _ := slices.BinarySearchFunc(s.chks, start, func(c xorChunk, t int64) int { return cmpInt(c.maxt, t) })
		hi := lo
		for hi < len(s.chks) && s.chks[hi].mint <= end {
			hi++
		}
		if hi > lo {
			out = append(out, &chunkSeriesView{lset: s.lset, chks: s.chks[lo:hi]})
		}
	}
	return &listSeriesSet{series: out}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (*chunkQuerier) LabelValues(context.Context, string, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (*chunkQuerier) LabelNames(context.Context, *storage.LabelHints, ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	return nil, nil, nil
}

func (*chunkQuerier) Close() error { return nil }

type listSeriesSet struct {
	series []storage.Series
	i      int
}

func (s *listSeriesSet) Next() bool {
	s.i++
	return s.i <= len(s.series)
}
func (s *listSeriesSet) At() storage.Series              { return s.series[s.i-1] }
func (*listSeriesSet) Err() error                        { return nil }
func (*listSeriesSet) Warnings() annotations.Annotations { return nil }

type chunkSeriesView struct {
	lset labels.Labels
	chks []xorChunk
}

func (s *chunkSeriesView) Labels() labels.Labels { return s.lset }

func (s *chunkSeriesView) Iterator(it chunkenc.Iterator) chunkenc.Iterator {
	ci, ok := it.(*chunksIter[int64])
	if !ok {
		ci = &chunksIter[int64]{}
	}
	ci.reset(s.chks)
	return ci
}

// chunksIter iterates over a series' chunks in order with chunkenc's own
// XOR iterator; Seek skips the chunks that end before its time. T is
// always int64 (go vet's stdmethods check, as floatIter).
type chunksIter[T ~int64] struct {
	chks  []xorChunk
	i     int               // the current chunk
	cur   chunkenc.Iterator // over chks[i]; nil: not opened yet
	spare chunkenc.Iterator // a finished iterator to reuse
	err   error
}

func (it *chunksIter[T]) reset(chks []xorChunk) {
	if it.cur != nil {
		it.spare = it.cur
	}
	*it = chunksIter[T]{chks: chks, spare: it.spare}
}

func (it *chunksIter[T]) open() {
	if it.cur == nil {
		it.cur = it.chks[it.i].c.Iterator(it.spare)
		it.spare = nil
	}
}

func (it *chunksIter[T]) advance() {
	if err := it.cur.Err(); err != nil {
		it.err = err
	}
	it.spare, it.cur = it.cur, nil
	it.i++
}

func (it *chunksIter[T]) Next() chunkenc.ValueType {
	for it.err == nil && it.i < len(it.chks) {
		it.open()
		if vt := it.cur.Next(); vt != chunkenc.ValNone {
			return vt
		}
		it.advance()
	}
	return chunkenc.ValNone
}

func (it *chunksIter[T]) Seek(t T) chunkenc.ValueType {
	for it.err == nil && it.i < len(it.chks) {
		if it.chks[it.i].maxt < int64(t) {
			if it.cur != nil {
				it.advance()
			} else {
				it.i++
			}
			continue
		}
		it.open()
		if vt := it.cur.Seek(int64(t)); vt != chunkenc.ValNone {
			return vt
		}
		it.advance()
	}
	return chunkenc.ValNone
}

func (it *chunksIter[T]) At() (int64, float64) { return it.cur.At() }
func (it *chunksIter[T]) AtHistogram(h *histogram.Histogram) (int64, *histogram.Histogram) {
	return it.cur.AtHistogram(h)
}
func (it *chunksIter[T]) AtFloatHistogram(fh *histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	return it.cur.AtFloatHistogram(fh)
}
func (it *chunksIter[T]) AtT() int64  { return it.cur.AtT() }
func (it *chunksIter[T]) AtST() int64 { return it.cur.AtST() }
func (it *chunksIter[T]) Err() error  { return it.err }

// memQueryable serves the decoded samples from memory: the engine's cost
// with a storage that costs nothing (a floor for any layout).
type memQueryable struct{ series []rawSeries }

func (q *memQueryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return &memQuerier{q: q, mint: mint, maxt: maxt}, nil
}

type memQuerier struct {
	chunkQuerier
	q          *memQueryable
	mint, maxt int64
}

func (q *memQuerier) Select(_ context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	start, end := q.mint, q.maxt
	if hints != nil {
		start, end = hints.Start, hints.End
	}
	var out []storage.Series
	for i := range q.q.series {
		s := &q.q.series[i]
		if !matchesSet(ms, s.lset) {
			continue
		}
		lo, _ := slices.BinarySearch(s.ts, start)
		hi, found := slices.BinarySearch(s.ts, end)
		if found {
			hi++
		}
		if hi > lo {
			out = append(out, &memSeriesView{lset: s.lset, ts: s.ts[lo:hi], vs: s.vs[lo:hi]})
		}
	}
	return &listSeriesSet{series: out}
}

type memSeriesView struct {
	lset labels.Labels
	ts   []int64
	vs   []float64
}

func (s *memSeriesView) Labels() labels.Labels { return s.lset }

func (s *memSeriesView) Iterator(it chunkenc.Iterator) chunkenc.Iterator {
	mi, ok := it.(*memIter[int64])
	if !ok {
		mi = &memIter[int64]{}
	}
	*mi = memIter[int64]{ts: s.ts, vs: s.vs, i: -1}
	return mi
}

// memIter iterates over samples in slices (T: see chunksIter).
type memIter[T ~int64] struct {
	ts []int64
	vs []float64
	i  int
}

func (it *memIter[T]) Next() chunkenc.ValueType {
	if it.i+1 >= len(it.ts) {
		it.i = len(it.ts)
		return chunkenc.ValNone
	}
	it.i++
	return chunkenc.ValFloat
}

func (it *memIter[T]) Seek(t T) chunkenc.ValueType {
	if it.i >= len(it.ts) {
		return chunkenc.ValNone
	}
	if it.i >= 0 && it.ts[it.i] >= int64(t) {
		return chunkenc.ValFloat
	}
	j, _ := slices.BinarySearch(it.ts[max(it.i, 0):], int64(t))
	it.i = max(it.i, 0) + j
	if it.i >= len(it.ts) {
		return chunkenc.ValNone
	}
	return chunkenc.ValFloat
}

func (it *memIter[T]) At() (int64, float64) { return it.ts[it.i], it.vs[it.i] }
func (*memIter[T]) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	panic("memIter: no histograms")
}
func (*memIter[T]) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	panic("memIter: no histograms")
}
func (it *memIter[T]) AtT() int64 { return it.ts[it.i] }
func (*memIter[T]) AtST() int64   { return 0 }
func (*memIter[T]) Err() error    { return nil }

// chunkBench holds the benchmark's data read once and encoded.
var chunkBench struct {
	once   sync.Once
	raw    []rawSeries
	chunks []chunkSeries
	err    error
}

// BenchmarkRateByJob24hChunks runs BenchmarkRateByJob24h's queries over
// the DuckDB-backed Queryable ("duckdb"), over the same data kept as XOR
// chunks ("chunks") and decoded in memory ("mem", the engine alone),
// interleaved, after checking that all give equal results. "encode" reports the chunks' bytes and encode CPU per sample.
//
//	OVERLOOK_BENCH_DIR=/tmp/ob go test ./internal/prom/promstorage -run '^$' -bench RateByJob24hChunks -benchtime 5x -count 3
func BenchmarkRateByJob24hChunks(b *testing.B) {
	st, end := benchStore(b)
	dq := NewQueryable(st, Options{})
	mint, maxt := end.Add(-25*time.Hour).UnixMilli(), end.UnixMilli()
	chunkBench.once.Do(func() {
		chunkBench.raw, chunkBench.err = readRaw(dq, mint, maxt, labels.MustNewMatcher(labels.MatchEqual, labels.MetricName, "x_total"))
		if chunkBench.err == nil {
			chunkBench.chunks, chunkBench.err = encodeChunks(chunkBench.raw, samplesPerChunk)
		}
	})
	if chunkBench.err != nil {
		b.Fatal(chunkBench.err)
	}
	cq := &chunkQueryable{series: chunkBench.chunks}
	mq := &memQueryable{series: chunkBench.raw}
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
	defer engine.Close()
	split := promsplit.New(engine, promsplit.Options{})

	b.Run("encode", func(b *testing.B) {
		samples, chunks, bytes := 0, 0, 0
		for _, r := range chunkBench.raw {
			samples += len(r.ts)
		}
		for _, s := range chunkBench.chunks {
			chunks += len(s.chks)
			for _, c := range s.chks {
				bytes += len(c.c.Bytes())
			}
		}
		cpu0 := cpuTime()
		b.ResetTimer()
		for range b.N {
			if _, err := encodeChunks(chunkBench.raw, samplesPerChunk); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(samples), "cpu-ns/sample")
		b.ReportMetric(float64(bytes)/float64(samples), "B/sample")
		b.ReportMetric(float64(samples), "samples")
		b.ReportMetric(float64(chunks), "chunks")
		// One chunk per hour (240 samples at 15 s) for comparison.
		hourly, err := encodeChunks(chunkBench.raw, 240)
		if err != nil {
			b.Fatal(err)
		}
		hbytes := 0
		for _, s := range hourly {
			for _, c := range s.chks {
				hbytes += len(c.c.Bytes())
			}
		}
		b.ReportMetric(float64(hbytes)/float64(samples), "B/sample_1h")
	})

	// decode: every sample of every series through chunksIter, as the
	// engine reads them, without the engine.
	b.Run("decode", func(b *testing.B) {
		samples := 0
		cpu0 := cpuTime()
		b.ResetTimer()
		var it chunkenc.Iterator
		sum := 0.0
		for range b.N {
			samples = 0
			for i := range chunkBench.chunks {
				it = (&chunkSeriesView{chks: chunkBench.chunks[i].chks}).Iterator(it)
				for it.Next() != chunkenc.ValNone {
					_, v := it.At()
					sum += v
					samples++
				}
			}
		}
		b.StopTimer()
		if sum == 0 {
			b.Fatal("no samples")
		}
		b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(samples), "cpu-ns/sample")
		b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	})

	type tcase struct {
		name  string
		step  time.Duration
		split bool
	}
	const query = `sum by (job) (rate(x_total[5m]))`
	run := func(q storage.Queryable, tc tcase) (parser.Value, error) {
		var qry promql.Query
		var err error
		switch {
		case tc.step == 0:
			qry, err = engine.NewInstantQuery(context.Background(), q, nil, query, end)
		case tc.split:
			qry, err = split.NewRangeQuery(context.Background(), q, nil, query, end.Add(-24*time.Hour), end, tc.step)
		default:
			qry, err = engine.NewRangeQuery(context.Background(), q, nil, query, end.Add(-24*time.Hour), end, tc.step)
		}
		if err != nil {
			return nil, err
		}
		defer qry.Close()
		res := qry.Exec(context.Background())
		if res.Err != nil {
			return nil, res.Err
		}
		if m, ok := res.Value.(promql.Matrix); ok && (len(m) != 10 || len(m[0].Floats) < 280) {
			return nil, fmt.Errorf("result: %d series", len(m))
		}
		// Close returns the result's points to the engine's pool: copy.
		return copyValue(res.Value), nil
	}
	for _, tc := range []tcase{
		{"range_step60s", time.Minute, false},
		{"range_step60s_split", time.Minute, true},
		{"range_step5m", 5 * time.Minute, false},
		{"range_step5m_split", 5 * time.Minute, true},
		{"instant", 0, false},
	} {
		want, err := run(dq, tc)
		if err != nil {
			b.Fatal(err)
		}
		for _, src := range []struct {
			name string
			q    storage.Queryable
		}{{"chunks", cq}, {"mem", mq}} {
			got, err := run(src.q, tc)
			if err != nil {
				b.Fatal(err)
			}
			if err := sameValue(want, got); err != nil {
				b.Fatalf("%s: %s differs from duckdb: %v", tc.name, src.name, err)
			}
		}
		for _, src := range []struct {
			name string
			q    storage.Queryable
		}{{"duckdb", dq}, {"chunks", cq}, {"mem", mq}} {
			b.Run(tc.name+"/"+src.name, func(b *testing.B) {
				cpu0 := cpuTime()
				b.ResetTimer()
				// The label lets a -cpuprofile be cut to one case:
				// go tool pprof -tagfocus case=range_step60s/chunks.
				pprof.Do(context.Background(), pprof.Labels("case", tc.name+"/"+src.name), func(context.Context) {
					for range b.N {
						if _, err := run(src.q, tc); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// copyValue copies a query's result out of the engine's pooled memory.
func copyValue(v parser.Value) parser.Value {
	switch v := v.(type) {
	case promql.Matrix:
		out := make(promql.Matrix, len(v))
		for i, s := range v {
			out[i] = promql.Series{Metric: s.Metric, Floats: slices.Clone(s.Floats), Histograms: slices.Clone(s.Histograms)}
		}
		return out
	case promql.Vector:
		return slices.Clone(v)
	}
	return v
}

// sameValue reports how a differs from b: series labels, times and values
// must be equal exactly (NaN equals NaN).
func sameValue(a, b parser.Value) error {
	switch a := a.(type) {
	case promql.Matrix:
		bm, ok := b.(promql.Matrix)
		if !ok {
			return fmt.Errorf("type %T, want %T", b, a)
		}
		if len(a) != len(bm) {
			return fmt.Errorf("%d series, want %d", len(bm), len(a))
		}
		for i := range a {
			if !labels.Equal(a[i].Metric, bm[i].Metric) {
				return fmt.Errorf("series %d: %s, want %s", i, bm[i].Metric, a[i].Metric)
			}
			if len(a[i].Floats) != len(bm[i].Floats) || len(a[i].Histograms)+len(bm[i].Histograms) != 0 {
				return fmt.Errorf("series %s: %d points, want %d", a[i].Metric, len(bm[i].Floats), len(a[i].Floats))
			}
			for j, p := range a[i].Floats {
				if q := bm[i].Floats[j]; q.T != p.T || !sameFloat(q.F, p.F) {
					return fmt.Errorf("series %s point %d: %v, want %v", a[i].Metric, j, q, p)
				}
			}
		}
		return nil
	case promql.Vector:
		bv, ok := b.(promql.Vector)
		if !ok {
			return fmt.Errorf("type %T, want %T", b, a)
		}
		if len(a) != len(bv) {
			return fmt.Errorf("%d samples, want %d", len(bv), len(a))
		}
		for i := range a {
			if !labels.Equal(a[i].Metric, bv[i].Metric) || a[i].T != bv[i].T || !sameFloat(a[i].F, bv[i].F) {
				return fmt.Errorf("sample %d: %v, want %v", i, bv[i], a[i])
			}
		}
		return nil
	}
	return fmt.Errorf("unexpected type %T", a)
}

func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}
