package promvec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// TestNanosecondTimes: a series read in place, with times in ns (sub-ms
// parts, negative times, stale markers flagged), gives exactly the values
// of the same series read as the engine's ms samples.
func TestNanosecondTimes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for run := range 200 {
		var ns []int64
		var vals []float64
		var flags []uint32
		at := int64(rng.IntN(2_000_000_000)) - 1_000_000_000_000 // around −1000 s
		v := 0.0
		for range 50 + rng.IntN(200) {
			at += int64(1+rng.IntN(20_000)) * 1_000_000 // distinct ms…
			at -= at % 1_000_000                        // …with a sub-ms part: none, the last ns, or any
			switch sub := rng.IntN(3); {
			case sub == 1:
				at += 999_999
			case sub == 2:
				at += int64(rng.IntN(1_000_000))
			}
			v += float64(rng.IntN(50))
			if rng.IntN(30) == 0 {
				v = 1
			}
			ns, vals = append(ns, at), append(vals, v)
			fl := uint32(0)
			if rng.IntN(15) == 0 {
				fl = 1
			}
			flags = append(flags, fl)
		}
		fn := []string{"rate", "increase", "delta"}[run%3]
		expr, err := parser.NewParser(parser.Options{}).ParseExpr(fn + "(x[" + []string{"1m", "5m", "37s"}[rng.IntN(3)] + "] offset " + []string{"0s", "1m", "-2m"}[rng.IntN(3)] + ")")
		if err != nil {
			t.Fatal(err)
		}
		p, ok := compile(expr, Options{})
		if !ok {
			t.Fatal("not compiled")
		}
		// Steps on sample times (a window's bounds on samples) or anywhere.
		start, interval := floorDiv(ns[0], 1_000_000)-300_000, int64(1+rng.IntN(90_000))
		if run%2 == 0 {
			start, interval = floorDiv(ns[rng.IntN(len(ns))], 1_000_000)-60_000, []int64{1000, 15_000, 60_000}[rng.IntN(3)]
		}
		at0 := steps{start: start, end: start + int64(rng.IntN(3_000_000)), interval: interval}

		// As read() leaves them: the flagged samples out.
		var msT []int64
		var msF []float64
		var keepNs []int64
		var keepF []float64
		for i := range ns {
			if flags[i]&1 != 0 {
				continue
			}
			keepNs, keepF = append(keepNs, ns[i]), append(keepF, vals[i])
			msT, msF = append(msT, floorDiv(ns[i], 1_000_000)), append(msF, vals[i])
		}
		a := samples{t: keepNs, f: keepF, unit: 1}
		b := samples{t: msT, f: msF, unit: 1_000_000}
		a.findResets(false)
		b.findResets(false)
		got, want := map[int]float64{}, map[int]float64{}
		wa := p.eval(&a, at0, func(i int, v float64) { got[i] = v })
		wb := p.eval(&b, at0, func(i int, v float64) { want[i] = v })
		if wa != wb || len(got) != len(want) {
			t.Fatalf("run %d: %d values (max window %d), want %d (%d)", run, len(got), wa, len(want), wb)
		}
		for i, w := range want {
			if math.Float64bits(got[i]) != math.Float64bits(w) {
				t.Fatalf("run %d step %d: %v, want %v", run, i, got[i], w)
			}
		}
	}
}

// BenchmarkEval: rate over 5 m windows at a 60 s step across one series of
// 24 h of 15 s scrapes (issue 10's query has 1000 of them), times in ns as
// the store keeps them, and in ms.
func BenchmarkEval(b *testing.B) {
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(`rate(x_total[5m])`)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := compile(expr, Options{})
	const n = 5760
	for _, unit := range []int64{1, 1_000_000} {
		s := samples{unit: unit}
		for i := range n {
			s.t = append(s.t, (int64(i)*15_000+int64(i%7))*(1_000_000/unit))
			s.f = append(s.f, float64(i*3))
		}
		s.findResets(false)
		at := steps{start: 0, end: (n - 1) * 15_000, interval: 60_000}
		b.Run(map[int64]string{1: "ns", 1_000_000: "ms"}[unit], func(b *testing.B) {
			var sum float64
			for b.Loop() {
				p.eval(&s, at, func(_ int, v float64) { sum += v })
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(at.count()), "ns/step")
		})
	}
}
