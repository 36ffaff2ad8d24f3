package inflight

import (
	"errors"
	"sync"
	"testing"
)

type gauge struct{ v float64 }

func (g *gauge) Set(v float64) { g.v = v }

// step is one operation on the limiter: acquire (hold index = next), grow
// or release a hold, with the expected outcome and bytes in use after it.
type step struct {
	op      string // "acquire", "grow", "release"
	hold    int
	n       int64
	refused bool
	used    int64
	holds   int
}

func TestLimiterAccounting(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int64
		steps []step
	}{
		{"fits exactly", 100, []step{
			{op: "acquire", n: 60, used: 60, holds: 1},
			{op: "acquire", n: 40, used: 100, holds: 2},
			{op: "acquire", n: 1, refused: true, used: 100, holds: 2},
			{op: "release", hold: 0, used: 40, holds: 1},
			{op: "acquire", n: 60, used: 100, holds: 2}, // hold 2
			{op: "release", hold: 1, used: 60, holds: 1},
			{op: "release", hold: 2, used: 0, holds: 0},
		}},
		{"alone over the limit", 100, []step{
			{op: "acquire", n: 250, used: 250, holds: 1},
			{op: "acquire", n: 0, refused: true, used: 250, holds: 1},
			{op: "grow", hold: 0, n: 400, used: 400, holds: 1},
			{op: "release", hold: 0, used: 0, holds: 0},
			{op: "acquire", n: 10, used: 10, holds: 1},
		}},
		{"grow", 100, []step{
			{op: "acquire", n: 10, used: 10, holds: 1},
			{op: "acquire", n: 10, used: 20, holds: 2},
			{op: "grow", hold: 0, n: 90, used: 100, holds: 2},
			{op: "grow", hold: 1, n: 11, refused: true, used: 100, holds: 2},
			{op: "grow", hold: 0, n: 50, used: 100, holds: 2}, // never shrinks
			{op: "release", hold: 0, used: 10, holds: 1},
			{op: "grow", hold: 1, n: 500, used: 500, holds: 1},
			{op: "release", hold: 1, used: 0, holds: 0},
		}},
		{"release twice", 100, []step{
			{op: "acquire", n: 30, used: 30, holds: 1},
			{op: "acquire", n: 30, used: 60, holds: 2},
			{op: "release", hold: 0, used: 30, holds: 1},
			{op: "release", hold: 0, used: 30, holds: 1},
			{op: "grow", hold: 0, n: 90, used: 30, holds: 1}, // released: no-op
		}},
		{"no limit", 0, []step{
			{op: "acquire", n: 1 << 40, used: 1 << 40, holds: 1},
			{op: "acquire", n: 1 << 40, used: 2 << 40, holds: 2},
			{op: "release", hold: 0, used: 1 << 40, holds: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &gauge{}
			l := New(tc.limit, g)
			var holds []*Hold
			for i, s := range tc.steps {
				var err error
				switch s.op {
				case "acquire":
					var h *Hold
					h, err = l.Acquire(s.n)
					if err == nil {
						holds = append(holds, h)
					}
				case "grow":
					err = holds[s.hold].GrowTo(s.n)
				case "release":
					holds[s.hold].Release()
				}
				var full *FullError
				if got := errors.As(err, &full); got != s.refused {
					t.Fatalf("step %d %+v: refused %v (err %v), want %v", i, s, got, err, s.refused)
				}
				if full != nil && (full.Limit != tc.limit || full.InUse != s.used) {
					t.Errorf("step %d: %+v, want limit %d in use %d", i, full, tc.limit, s.used)
				}
				used, n := l.InUse()
				if used != s.used || n != s.holds {
					t.Fatalf("step %d %+v: in use %d B in %d holds, want %d B in %d", i, s, used, n, s.used, s.holds)
				}
				if g.v != float64(s.used) {
					t.Fatalf("step %d: gauge %v, want %d", i, g.v, s.used)
				}
			}
		})
	}
}

func TestNilLimiter(t *testing.T) {
	var l *Limiter
	h, err := l.Acquire(1 << 50)
	if err != nil || h != nil {
		t.Fatalf("nil limiter: %v, %v", h, err)
	}
	if err := h.GrowTo(1 << 60); err != nil {
		t.Fatal(err)
	}
	h.Release()
	if b := h.Bytes(); b != 0 {
		t.Fatalf("nil hold holds %d", b)
	}
}

func TestFullErrorNamesKey(t *testing.T) {
	l := New(100, nil)
	_, _ = l.Acquire(80)
	_, err := l.Acquire(30)
	want := "overloaded: requests being decoded hold 80B of the 100B allowed (extensions::overlook::ingest::max_inflight_bytes), this one needs 30B more; retry later, or raise the limit if the memory allows"
	if err == nil || err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
}

// TestConcurrent: whatever the interleaving, the bound holds at every
// admission and everything is given back.
func TestConcurrent(t *testing.T) {
	const limit, workers, rounds = 1000, 16, 2000
	l := New(limit, nil)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		over     int
		admitted int
	)
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				n := int64((w*7+i*13)%300 + 1)
				h, err := l.Acquire(n)
				if err != nil {
					continue
				}
				if i%3 == 0 && h.GrowTo(n+100) != nil {
					h.Release()
					continue
				}
				used, holds := l.InUse()
				mu.Lock()
				admitted++
				if used > limit && holds > 1 {
					over++
				}
				mu.Unlock()
				h.Release()
				h.Release()
			}
		})
	}
	wg.Wait()
	if used, holds := l.InUse(); used != 0 || holds != 0 {
		t.Fatalf("after all releases: %d B in %d holds", used, holds)
	}
	if over != 0 || admitted == 0 {
		t.Fatalf("%d of %d admissions saw more than the limit in use", over, admitted)
	}
}

func TestWeight(t *testing.T) {
	for _, tc := range []struct{ in, want int64 }{{0, 0}, {-5, 0}, {1000, 4000}} {
		if got := Weight(tc.in); got != tc.want {
			t.Errorf("Weight(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
