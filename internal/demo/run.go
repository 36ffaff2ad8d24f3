package demo

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

const (
	// batchRows is about how many rows (spans + logs + points) one batch
	// holds: ≈ 1.8 MB of OTLP for the traces, under the receiver's default
	// 4 MiB message limit. Larger batches mean fewer commits: 8000 rows
	// backfill ≈ 2× faster than 3000 on a busy 2-core machine.
	batchRows = 8000
	// backfillSenders export backfill batches concurrently, so generating
	// the next batch overlaps the store committing the last.
	backfillSenders = 2
	// maxCatchUp bounds the live stream's catching up after a pause
	// (suspended laptop): a longer gap is skipped, and logged.
	maxCatchUp = 10 * time.Minute
)

// Run backfills the configured history into the OTLP endpoint, then, if
// live, sends the shop's traffic in real time until ctx is cancelled. It
// returns nil when ctx is cancelled, or the first export error that is not
// a refusal.
func Run(ctx context.Context, cfg Config, log *slog.Logger) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	wall := time.Now()
	now := cfg.now(wall)
	g := newGenerator(cfg, now)
	s, err := newSender(g.cfg.Endpoint, log)
	if err != nil {
		return err
	}
	defer s.close()
	from, to := g.backfillRange()
	log.Info("demo: backfilling", "from", from, "to", to, "traces_per_s", g.cfg.BackfillRate, "seed", g.cfg.Seed, "endpoint", g.cfg.Endpoint)
	if err := backfill(ctx, g, s); err != nil {
		return ignoreCancel(err)
	}
	c := g.counts
	log.Info("demo: backfill done", "traces", c.Traces, "spans", c.Spans, "logs", c.Logs,
		"points", sum(c.Points), "took", time.Since(wall).Round(time.Millisecond), "refusals_retried", s.retries.Load())
	if !g.cfg.live() {
		return nil
	}
	log.Info("demo: streaming live", "traces_per_s", g.cfg.Rate)
	return ignoreCancel(live(ctx, g, s, wall.Sub(now), log))
}

// backfill generates the history and exports it with backfillSenders
// concurrent exports.
func backfill(ctx context.Context, g *generator, s *sender) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, backfillSenders)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range backfillSenders {
		wg.Go(func() {
			for b := range batches {
				if err := s.send(ctx, b); err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		})
	}
	err := g.backfill(batchRows, func(b batch) error {
		select {
		case batches <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(batches)
	wg.Wait()
	return errors.Join(firstErr, err)
}

// live sends one slot a second, at wall time minus offset (so a fixed
// Now in the past keeps streaming from there).
func live(ctx context.Context, g *generator, s *sender, offset time.Duration, log *slog.Logger) error {
	next := g.now
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		target := time.Now().Add(-offset).Truncate(time.Second)
		if gap := target.Sub(next); gap > maxCatchUp {
			log.Warn("demo: the live stream fell behind (was the machine suspended?); skipping the gap", "gap", gap)
			next = target.Add(-time.Second)
		}
		var p pending
		for ; !next.After(target.Add(-time.Second)); next = next.Add(time.Second) {
			g.slot(next, g.cfg.Rate, &p)
		}
		if p.rows > 0 {
			for _, b := range g.take(&p, batchRows) {
				if err := s.send(ctx, b); err != nil {
					return err
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func ignoreCancel(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
