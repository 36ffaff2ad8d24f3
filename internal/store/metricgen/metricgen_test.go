package metricgen

import (
	"testing"
	"time"
)

func TestHourOf(t *testing.T) {
	for _, c := range []struct {
		ms, hour int64
	}{
		{0, 0}, {HourMs - 1, 0}, {HourMs, 1}, {-1, -1}, {-HourMs, -1}, {-HourMs - 1, -2},
	} {
		if got := HourOfMs(c.ms); got != c.hour {
			t.Errorf("HourOfMs(%d) = %d, want %d", c.ms, got, c.hour)
		}
		// The hour of any instant in the millisecond is the same.
		for _, ns := range []int64{c.ms * 1e6, c.ms*1e6 + 999_999} {
			if got := HourOfNs(ns); got != c.hour {
				t.Errorf("HourOfNs(%d) = %d, want %d", ns, got, c.hour)
			}
		}
	}
}

// TestTracker: Newest sees exactly the writes into its hours since a Seq
// was read, and a deletion before a cutoff changes every hour before it.
func TestTracker(t *testing.T) {
	tr := New()
	if New().ID() == tr.ID() {
		t.Fatal("two trackers with one ID")
	}
	s0 := tr.Seq()
	tr.Bump(10, 12, 12)
	s1 := tr.Seq()
	tr.Bump(11)
	s2 := tr.Seq()
	cutoff := time.UnixMilli(12*HourMs + 30*60_000) // inside hour 12
	tr.BumpBefore(cutoff)
	s3 := tr.Seq()
	tr.Bump(20)
	for _, c := range []struct {
		name        string
		first, last int64
		want        uint64
	}{
		{"untouched hours", 30, 40, 0},
		{"hour 20", 20, 20, s3 + 1},
		{"an hour after the cutoff", 13, 19, 0},
		{"the cutoff's hour", 12, 12, s3},
		{"hours below the cutoff", 0, 5, s3},
		{"a range over everything", 0, 40, s3 + 1},
	} {
		if got := tr.Newest(c.first, c.last); got != c.want {
			t.Errorf("%s: Newest(%d, %d) = %d, want %d", c.name, c.first, c.last, got, c.want)
		}
	}
	if !(s0 < s1 && s1 < s2 && s2 < s3) {
		t.Errorf("sequence not increasing: %d %d %d %d", s0, s1, s2, s3)
	}
	// A wide range is answered from the map, with the same result.
	if got := tr.Newest(-1<<40, 1<<40); got != s3+1 {
		t.Errorf("Newest over a huge range = %d, want %d", got, s3+1)
	}
	tr.Bump() // no hours: no new sequence
	if tr.Seq() != s3+1 {
		t.Errorf("an empty Bump moved the sequence")
	}
}
