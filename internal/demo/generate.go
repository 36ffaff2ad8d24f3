package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The generator works in one-second slots. The requests of a slot come
// from a random source seeded with (seed, now, the slot's Unix second), so
// a slot's data depends on nothing else: the backfill is the same whatever
// machine or batch size makes it. Metrics are computed at every multiple
// of metrics_interval after the incident's anchor.

// generator produces the shop's data in time order.
type generator struct {
	cfg    Config
	sh     *shop
	in     incident
	now    time.Time
	red    *redState
	counts Counts
}

func newGenerator(cfg Config, now time.Time) *generator {
	cfg = cfg.withDefaults()
	return &generator{cfg: cfg, sh: newShop(cfg.Seed), in: cfg.incident(now), now: now, red: newRedState()}
}

// batch is generated data ready to send.
type batch struct {
	traces  ptrace.Traces
	logs    plog.Logs
	metrics pmetric.Metrics
}

// pending collects generated data until it is assembled into a batch.
type pending struct {
	traces []genTrace
	points []point
	rows   int
}

// slot generates the requests arriving in the second starting at t, rate
// requests a second on average, and the metrics due at t+1s.
func (g *generator) slot(t time.Time, rate float64, p *pending) {
	r := rand.New(rand.NewPCG(g.runSeed(), uint64(t.Unix())))
	for range poisson(r, rate) {
		start := t.Add(time.Duration(r.Int64N(int64(time.Second))))
		st := g.in.at(start)
		b := newBuilder(r, g.sh, st)
		b.flow(start)
		g.counts.addTrace(&b.tr)
		g.red.add(&b.tr, g.in.anchor, g.in.cycleStart(st.cycle))
		p.traces = append(p.traces, b.tr)
		p.rows += len(b.tr.spans) + len(b.tr.logs)
	}
	next := t.Add(time.Second)
	if iv := g.cfg.MetricsInterval; next.Sub(g.in.anchor)%iv == 0 && next.After(g.in.anchor) {
		pts := g.metricsAt(next)
		g.counts.addPoints(pts)
		p.points = append(p.points, pts...)
		p.rows += len(pts)
	}
}

// runSeed mixes now into the seed, so that a second run over part of the
// same history (a restart) makes other trace and span IDs, not duplicates.
func (g *generator) runSeed() uint64 {
	return g.cfg.Seed ^ uint64(g.now.Unix())*0x9e3779b97f4a7c15
}

// poisson draws the number of requests of a second: arrivals are
// independent, as real users' are.
func poisson(r *rand.Rand, mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, r.Float64()
	for p > l {
		k++
		p *= r.Float64()
	}
	return k
}

// take assembles the pending data into batches of about maxRows rows
// (whole traces; the points go with the first) and empties p, so that a
// high rate never makes an export over the receiver's message size.
func (g *generator) take(p *pending, maxRows int) []batch {
	var out []batch
	points := p.points
	for start, rows, i := 0, 0, 0; i < len(p.traces); i++ {
		rows += len(p.traces[i].spans) + len(p.traces[i].logs)
		if rows >= maxRows || i == len(p.traces)-1 {
			trs := p.traces[start : i+1]
			out = append(out, batch{traces: assembleTraces(trs), logs: assembleLogs(trs), metrics: assembleMetrics(points)})
			points, start, rows = nil, i+1, 0
		}
	}
	if len(out) == 0 {
		out = append(out, batch{traces: assembleTraces(nil), logs: assembleLogs(nil), metrics: assembleMetrics(points)})
	}
	*p = pending{}
	return out
}

// backfillRange is the time range the backfill covers: [now-backfill, now).
func (g *generator) backfillRange() (from, to time.Time) {
	return g.now.Add(-g.cfg.Backfill), g.now
}

// backfill generates [from, to) in batches of about maxRows rows, calling
// emit with each; it stops at emit's first error.
func (g *generator) backfill(maxRows int, emit func(batch) error) error {
	from, to := g.backfillRange()
	var p pending
	for t := from; t.Before(to) || p.rows > 0; t = t.Add(time.Second) {
		if t.Before(to) {
			g.slot(t, g.cfg.BackfillRate, &p)
			if p.rows < maxRows {
				continue
			}
		}
		for _, b := range g.take(&p, maxRows) {
			if err := emit(b); err != nil {
				return err
			}
		}
	}
	return nil
}
