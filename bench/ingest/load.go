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
		first := time.Now()
		buf = t.render(buf, masksFor(l.salt, seq), first)
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
