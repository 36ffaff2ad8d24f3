package budget

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// units maps a size suffix (lower case) to its multiplier: binary for
// KiB/MiB/GiB/TiB (and GOMEMLIMIT's forms), decimal for KB/MB/GB/TB as
// DuckDB reads them.
var units = []struct {
	suffix string
	mult   float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"b", 1},
}

// ParseBytes parses a size such as "512MiB", "1GiB", "4GB", "1.5 GiB" or a
// plain byte count.
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("%q is not a size: use a number of bytes with a unit, e.g. 512MiB or 1GiB", s)
	}
	n := f * mult
	if n >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(n), nil
}

// FormatBytes renders n in the largest binary unit that keeps it ≥ 1.
func FormatBytes(n int64) string {
	const k = 1024
	switch a := max(n, -n); {
	case a >= k*k*k*k:
		return trim(float64(n)/(k*k*k*k)) + "TiB"
	case a >= k*k*k:
		return trim(float64(n)/(k*k*k)) + "GiB"
	case a >= k*k:
		return trim(float64(n)/(k*k)) + "MiB"
	case a >= k:
		return trim(float64(n)/k) + "KiB"
	}
	return strconv.FormatInt(n, 10) + "B"
}

func trim(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}
