package query

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// durationUnits are the units a duration literal may carry, longest
// suffix first so that "ms" is not read as "m" + "s".
var durationUnits = []struct {
	suffix string
	ns     float64
}{
	{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
}

// splitDuration splits "200ms" into its number ("200") and the unit's
// length in nanoseconds. ok is false unless s is a plain decimal number
// immediately followed by one of the units.
func splitDuration(s string) (num string, unitNs float64, ok bool) {
	for _, u := range durationUnits {
		if n, found := strings.CutSuffix(s, u.suffix); found && isPlainNumber(n) && !strings.ContainsAny(n, "eE") {
			return n, u.ns, true
		}
	}
	return "", 0, false
}

// isDurationLiteral reports whether s is a number with a duration unit.
func isDurationLiteral(s string) bool {
	_, _, ok := splitDuration(s)
	return ok
}

// durationParam converts a duration literal ("200ms", "1.5s") to a
// nanosecond parameter: an integer when the result is integral.
func durationParam(s string) (*bParam, bool) {
	num, unit, ok := splitDuration(s)
	if !ok {
		return nil, false
	}
	if i, err := strconv.ParseInt(num, 10, 64); err == nil {
		if v := float64(i) * unit; math.Abs(v) < 1<<62 {
			return &bParam{v: i * int64(unit), k: kInt, dur: s}, true
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	f *= unit
	if math.IsInf(f, 0) {
		return nil, false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<62 {
		return &bParam{v: int64(f), k: kInt, dur: s}, true
	}
	return &bParam{v: f, k: kFloat, dur: s}, true
}

// durationColumns are the columns holding nanosecond durations, per table:
// the ones a unit may be compared with.
var durationColumns = map[string]string{"otel_traces": "Duration"}

// isDurationField reports whether f is a duration column (or the duration
// alias, which the caller handles separately).
func (b *binder) isDurationField(f *field) bool {
	if f == nil {
		return false
	}
	c, ok := f.expr.(*bColumn)
	return ok && durationColumns[b.src.Table.Name] == c.name
}

func isScaled(x bexpr) bool {
	_, ok := x.(*bScaled)
	return ok
}

// unitErr is the error for a duration unit compared with something that
// is not a duration column.
func (b *binder) unitErr(lf *field, pos int, name, lit string) error {
	col := durationColumns[b.src.Table.Name]
	fix := "durations exist on traces only (Duration)"
	if col != "" {
		fix = "only " + col + " (and the duration alias) takes a unit"
	}
	return &FieldError{Field: fieldName(lf), Pos: pos, Msg: fmt.Sprintf(
		"%s is not a duration: %q has a unit (%s); compare it with a plain number", name, lit, fix)}
}
