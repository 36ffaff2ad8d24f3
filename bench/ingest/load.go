package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The load: per signal, `concurrency` workers each render the next
// template, export it and wait for the answer before sending the next one
// (as many exporters as workers, each with one request in flight). A
// refused export is retried with exponential backoff and jitter, as an
// OpenTelemetry exporter does, until it is acknowledged or retryPolicy's
// maxElapsed passes.

// retryPolicy is the exporter's backoff.
type retryPolicy struct {
	initial, max, maxElapsed time.Duration
}

// loadConfig says what to send and when to stop.
type loadConfig struct {
	signals     []signal
	templates   map[signal][]*template
	concurrency int           // workers per signal
	duration    time.Duration // stop starting sends after this; 0: no limit
	rows        int64         // stop after this many rows per signal; 0: no limit
	timeout     time.Duration // per export attempt
	retry       retryPolicy
	salt        uint64 // makes this run's IDs differ from other runs'
	progress    time.Duration
	progressOut io.Writer
	// status adds to each progress line (e.g. the server's RSS); may be nil.
	status func() string
	// cpuProfile, if set, is where the load's CPU profile of this process
	// is written.
	cpuProfile string
	// interrupt, when closed, ends the load early (the report still
	// follows).
	interrupt <-chan struct{}
	// rate, if positive, paces each signal's sends to this many rows/s
	// (open loop: batch k is sent at k×batch/rate after the start, or as
	// soon as an exporter is free when the server is behind).
	rate float64
	// spread, if positive (with rows), dates the batches over the spread
	// before the run's start instead of at their send time: batch k of the
	// rows' budget is shifted to start-spread+spread×k×batch/rows.
	spread time.Duration
	// runStart is the time spread counts back from.
	runStart time.Time
}

// sentBatch identifies one acknowledged export: enough to recompute its
// trace IDs for lookups.
type sentBatch struct {
	seq      uint64
	template int
}

// signalResult is what happened to one signal's exports.
type signalResult struct {
	Signal         signal
	AckedRows      int64
	AckedBatches   int64
	RejectedRows   int64 // acknowledged as partial success but rejected
	RefusedRows    int64 // rows in refused attempts (each retried)
	RefusedCount   int64 // refused attempts
	TimeoutCount   int64 // attempts that timed out (retried)
	ServerTimeouts int64 // refusals because the server's own timeout expired: the rows may still be stored
	FailedBatches  int64 // dropped: permanent error or retries exhausted
	FailedRows     int64
	AbandonedRows  int64 // still being retried when the run ended
	FirstError     string
	attemptLatency []time.Duration // per acknowledged attempt
	exportLatency  []time.Duration // first attempt to acknowledgement
	perSecond      []int64         // acknowledged rows in each second of the run
	MaxAckGap      time.Duration   // longest time without any acknowledgement (from the start)
	AckGapsOver    int64           // gaps between consecutive acknowledgements longer than ackGapLimit
	sent           []sentBatch
	salt           uint64 // the masks' salt of this signal (see masksFor)
}

// loadResult is the whole run.
type loadResult struct {
	Elapsed time.Duration
	Signals map[signal]*signalResult
}

// signalLoad is the shared state of one signal's workers.
type signalLoad struct {
	sig       signal
	templates []*template
	salt      uint64
	seq       atomic.Uint64
	claimed   atomic.Int64
	acked     atomic.Int64
	start     time.Time
	lastAck   atomic.Int64 // unix ns of the latest acknowledgement (the start before the first)
	maxGap    atomic.Int64 // ns
	gapsOver  atomic.Int64

	mu  sync.Mutex
	res signalResult
}

// runLoad runs the load until ctx ends, the duration passes or the row
// budget is spent, and waits for the exports in flight.
func runLoad(ctx context.Context, cfg loadConfig, s sink) (*loadResult, error) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-cfg.interrupt:
			stop()
		case <-ctx.Done():
		}
	}()
	if cfg.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.duration)
		defer cancel()
	}
	loads := make([]*signalLoad, len(cfg.signals))
	for i, sig := range cfg.signals {
		if len(cfg.templates[sig]) == 0 {
			return nil, fmt.Errorf("no templates for %s", sig)
		}
		loads[i] = &signalLoad{sig: sig, templates: cfg.templates[sig],
			salt: cfg.salt ^ uint64(i+1)*0x9e3779b97f4a7c15, res: signalResult{Signal: sig}}
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	for _, l := range loads {
		l.start = start
		l.lastAck.Store(start.UnixNano())
	}
	var wg sync.WaitGroup
	for _, l := range loads {
		for w := range cfg.concurrency {
			wg.Go(func() { l.work(ctx, cfg, s, uint64(w)) })
		}
	}
	done := make(chan struct{})
	var mon sync.WaitGroup
	mon.Go(func() { monitor(start, cfg, loads, done) })
	wg.Wait()
	close(done)
	mon.Wait()
	res := &loadResult{Elapsed: time.Since(start), Signals: map[signal]*signalResult{}}
	for _, l := range loads {
		r := l.res
		r.salt = l.salt
		l.noteAck(time.Now()) // the gap from the last acknowledgement to the end counts too
		r.MaxAckGap, r.AckGapsOver = time.Duration(l.maxGap.Load()), l.gapsOver.Load()
		res.Signals[l.sig] = &r
	}
	return res, nil
}

// work is one exporter.
func (l *signalLoad) work(ctx context.Context, cfg loadConfig, s sink, id uint64) {
	rnd := rand.New(rand.NewPCG(cfg.salt, id))
	var buf []byte
	var attempts, exports []time.Duration
	var sent []sentBatch
	var acked, ackedBatches, rejected, refusedRows, refused, timeouts, srvTimeouts, failed, failedRows, abandoned int64
	var firstErr string
	defer func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		r := &l.res
		r.AckedRows += acked
		r.AckedBatches += ackedBatches
		r.RejectedRows += rejected
		r.RefusedRows += refusedRows
		r.RefusedCount += refused
		r.TimeoutCount += timeouts
		r.ServerTimeouts += srvTimeouts
		r.FailedBatches += failed
		r.FailedRows += failedRows
		r.AbandonedRows += abandoned
		if r.FirstError == "" {
			r.FirstError = firstErr
		}
		r.attemptLatency = append(r.attemptLatency, attempts...)
		r.exportLatency = append(r.exportLatency, exports...)
		r.sent = append(r.sent, sent...)
	}()
	for ctx.Err() == nil {
		seq := l.seq.Add(1) - 1
		ti := int(seq % uint64(len(l.templates)))
		t := l.templates[ti]
		if cfg.rows > 0 && l.claimed.Add(int64(t.rows))-int64(t.rows) >= cfg.rows {
			return
		}
		if cfg.rate > 0 {
			at := l.start.Add(time.Duration(float64(seq) * float64(t.rows) / cfg.rate * float64(time.Second)))
			if d := time.Until(at); d > 0 && !sleepCtx(ctx, d) {
				return
			}
		}
		first := time.Now()
		dated := first
		if cfg.spread > 0 && cfg.rows > 0 {
			frac := min(float64(seq)*float64(t.rows)/float64(cfg.rows), 1)
			dated = cfg.runStart.Add(-cfg.spread + time.Duration(frac*float64(cfg.spread)))
		}
		buf = t.render(buf, masksFor(l.salt, seq), dated)
		backoff := cfg.retry.initial
		for {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.timeout)
			t0 := time.Now()
			rej, err := s.send(actx, l.sig, buf)
			lat := time.Since(t0)
			cancel()
			out, hint := classify(err)
			if out == outAcked {
				n := int64(t.rows) - rej
				acked += n
				rejected += rej
				ackedBatches++
				l.acked.Add(n)
				l.noteAck(time.Now())
				attempts = append(attempts, lat)
				exports = append(exports, time.Since(first))
				sent = append(sent, sentBatch{seq: seq, template: ti})
				break
			}
			if firstErr == "" {
				firstErr = fmt.Sprintf("%s: %v", out, err)
			}
			switch out {
			case outRefused:
				refused++
				refusedRows += int64(t.rows)
				if strings.Contains(err.Error(), "deadline exceeded") {
					srvTimeouts++
				}
			case outTimeout:
				timeouts++
			}
			if out == outPermanent || time.Since(first)+backoff > cfg.retry.maxElapsed {
				failed++
				failedRows += int64(t.rows)
				break
			}
			// Jitter ±50%, at least what the server asked for.
			wait := max(backoff/2+time.Duration(rnd.Int64N(int64(backoff))), hint)
			if !sleepCtx(ctx, wait) {
				abandoned += int64(t.rows)
				break
			}
			backoff = min(2*backoff, cfg.retry.max)
		}
	}
}

// ackGapLimit is the longest acceptable time without an acknowledgement
// (issue 10: no stall over 500 ms at 80% of capacity).
const ackGapLimit = 500 * time.Millisecond

// noteAck records an acknowledgement at now: the gap since the previous one
// (of any exporter of the signal).
func (l *signalLoad) noteAck(now time.Time) {
	ns := now.UnixNano()
	gap := ns - l.lastAck.Swap(ns)
	if gap > int64(ackGapLimit) {
		l.gapsOver.Add(1)
	}
	for {
		m := l.maxGap.Load()
		if gap <= m || l.maxGap.CompareAndSwap(m, gap) {
			return
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// monitor records acknowledged rows per second and prints progress.
func monitor(start time.Time, cfg loadConfig, loads []*signalLoad, done <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := make([]int64, len(loads))
	lastPrint := make([]int64, len(loads))
	printed := start
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			for i, l := range loads {
				n := l.acked.Load()
				l.mu.Lock()
				l.res.perSecond = append(l.res.perSecond, n-last[i])
				l.mu.Unlock()
				last[i] = n
			}
			if cfg.progress <= 0 || now.Sub(printed) < cfg.progress-time.Second/2 {
				continue
			}
			line := fmt.Sprintf("[%6.1fs]", now.Sub(start).Seconds())
			for i, l := range loads {
				n := last[i]
				line += fmt.Sprintf("  %s %d rows, %.0f/s (now %.0f/s)", l.sig, n,
					float64(n)/now.Sub(start).Seconds(), float64(n-lastPrint[i])/now.Sub(printed).Seconds())
				lastPrint[i] = n
			}
			if cfg.status != nil {
				line += "  " + cfg.status()
			}
			printed = now
			_, _ = fmt.Fprintln(cfg.progressOut, line)
		}
	}
}
