package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Bucket limits of time-series charts.
const (
	// AutoBuckets is the most buckets "auto" granularity produces.
	AutoBuckets = 120
	// MaxBuckets is the most buckets an explicit granularity may produce
	// (a day at 1 minute is 1440).
	MaxBuckets = 3000
)

// niceSteps are the bucket widths "auto" chooses from, smallest first.
var niceSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour,
}

// granularityUnits maps the unit words HyperDX and people write to durations.
var granularityUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
}

// ParseGranularity parses a bucket width: "1 minute", "5 minutes",
// "30 second", "1 hour", "1 day", or the short forms "30s", "5m", "1h",
// "1d". Empty and "auto" return 0 (choose with AutoGranularity).
func ParseGranularity(s string) (time.Duration, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" || t == "auto" {
		return 0, nil
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	n := 1
	if i > 0 {
		v, err := strconv.Atoi(t[:i])
		if err != nil || v <= 0 || v > 1_000_000 {
			return 0, fmt.Errorf("granularity %q: the count must be a positive integer", s)
		}
		n = v
	}
	unit, ok := granularityUnits[strings.TrimSpace(t[i:])]
	if !ok {
		return 0, fmt.Errorf("granularity %q is not understood: use \"auto\" or a count and a unit, e.g. \"30 second\", \"1 minute\", \"5 minute\", \"1 hour\", \"1 day\"", s)
	}
	return time.Duration(n) * unit, nil
}

// AutoGranularity returns the smallest nice step that divides [start, end)
// into at most AutoBuckets buckets.
func AutoGranularity(start, end time.Time) time.Duration {
	span := end.Sub(start)
	for _, s := range niceSteps {
		if bucketCount(start, end, s) <= AutoBuckets {
			return s
		}
	}
	// Longer than 120 × 30 days: whole days, rounded up.
	days := (span/AutoBuckets + 24*time.Hour - 1) / (24 * time.Hour)
	return days * 24 * time.Hour
}

// bucketStart floors t to a multiple of step since the Unix epoch (UTC):
// buckets are aligned the same way in SQL (epoch_ns // step * step).
func bucketStart(t time.Time, step time.Duration) int64 {
	ns := t.UnixNano()
	s := int64(step)
	q := ns / s
	if ns%s != 0 && ns < 0 {
		q--
	}
	return q * s
}

// bucketCount is how many aligned buckets of width step cover [start, end).
func bucketCount(start, end time.Time, step time.Duration) int {
	first := bucketStart(start, step)
	last := bucketStart(end.Add(-1), step)
	return int((last-first)/int64(step)) + 1
}

// FormatGranularity writes a step the way ParseGranularity reads it
// ("1 minute", "15 second").
func FormatGranularity(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d >= u.d && d%u.d == 0 {
			return fmt.Sprintf("%d %s", d/u.d, u.name)
		}
	}
	return d.String()
}
