package search

import (
	"math"
	"slices"
	"strconv"

	"github.com/overlook-dev/overlook/internal/meta"
)

// ThresholdTypes are the comparisons an alert may use: HyperDX's (and
// ClickStack's alerts API) names. between and not_between take
// thresholdMax as the upper bound (inclusive).
var ThresholdTypes = []string{"above", "below", "above_exclusive", "below_or_equal", "equal", "not_equal", "between", "not_between"}

// breaches tells whether v crosses the alert's threshold; no value (NaN)
// never does.
func breaches(a *meta.Alert, v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	t := a.Threshold
	switch a.ThresholdType {
	case "below":
		return v < t
	case "above_exclusive":
		return v > t
	case "below_or_equal":
		return v <= t
	case "equal":
		return v == t
	case "not_equal":
		return v != t
	case "between":
		return v >= t && v <= maxOf(a)
	case "not_between":
		return v < t || v > maxOf(a)
	default: // "above"
		return v >= t
	}
}

func maxOf(a *meta.Alert) float64 {
	if a.ThresholdMax == nil {
		return a.Threshold
	}
	return *a.ThresholdMax
}

// lowFires tells whether small values are the ones that breach (the
// value closest to breaching is then the smallest).
func lowFires(a *meta.Alert) bool {
	return a.ThresholdType == "below" || a.ThresholdType == "below_or_equal"
}

// condition describes the comparison in words: "at or above 10",
// "between 1 and 5".
func condition(a *meta.Alert) string {
	f := fmtValue
	switch a.ThresholdType {
	case "below":
		return "below " + f(a.Threshold)
	case "above_exclusive":
		return "above " + f(a.Threshold)
	case "below_or_equal":
		return "at or below " + f(a.Threshold)
	case "equal":
		return "equal to " + f(a.Threshold)
	case "not_equal":
		return "not equal to " + f(a.Threshold)
	case "between":
		return "between " + f(a.Threshold) + " and " + f(maxOf(a))
	case "not_between":
		return "outside " + f(a.Threshold) + " to " + f(maxOf(a))
	default:
		return "at or above " + f(a.Threshold)
	}
}

func validThresholdType(t string) bool { return slices.Contains(ThresholdTypes, t) }

func fmtValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
