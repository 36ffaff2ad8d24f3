package main

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/klauspost/compress/zstd"
)

// The host's speed, measured by a fixed single-threaded workload before
// and after each load. On the 2-core machine the same binary's CPU per 1k
// rows moves by up to 1.5× within an hour with no steal time (neighbours
// on the physical host share its caches and clocks), so a report carries
// what one core did at the time: a run is read beside the calibration of
// its neighbours, not against a figure of another hour.

// calibrationText is 4 MiB of log-like text, the same in every run.
var calibrationText = func() []byte {
	r := rand.New(rand.NewPCG(7, 7))
	words := []string{"GET", "/api/cart", "user", "request", "ms", "200", "checkout", "failed", "retry",
		"shipping", "quote", "currency", "EUR", "USD", "trace", "span", "ok", "error", "timeout"}
	b := make([]byte, 0, 4<<20+64)
	for len(b) < 4<<20 {
		b = append(b, words[r.IntN(len(words))]...)
		if r.IntN(4) == 0 {
			b = append(b, " id="...)
			b = strconv.AppendUint(b, r.Uint64N(1e6), 10)
		}
		b = append(b, ' ')
	}
	return b
}()

// calibrate returns the fastest of five zstd (SpeedDefault)
// compressions of calibrationText, in milliseconds: lower is a faster
// host. It takes ≈ 0.2 s.
func calibrate() float64 {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return 0
	}
	defer enc.Close()
	best := time.Duration(1<<63 - 1)
	dst := make([]byte, 0, len(calibrationText))
	for range 5 {
		t0 := time.Now()
		dst = enc.EncodeAll(calibrationText, dst[:0])
		best = min(best, time.Since(t0))
	}
	return round2(float64(best) / 1e6)
}
