// Package naming maps stored OpenTelemetry metrics to Prometheus series
// names and labels, following Prometheus's OTLP translation rules
// (https://prometheus.io/docs/guides/opentelemetry/ and
// github.com/prometheus/otlptranslator), with one deliberate deviation:
// names that already are valid Prometheus names are kept as they are
// (only missing type and unit suffixes are appended), so that data scraped
// from or remote-written by Prometheus reads back under its own names.
// See docs/metrics.md for the table of rules.
package naming

import (
	"strconv"

	"github.com/prometheus/common/model"
	"github.com/prometheus/otlptranslator"

	"github.com/overlook-dev/overlook/internal/store"
)

// OTLP aggregation temporality numbers, as stored in AggregationTemporality.
const (
	TemporalityDelta      = 1
	TemporalityCumulative = 2
)

// Resource attributes that become the job and instance labels.
const (
	AttrServiceName       = "service.name"
	AttrServiceNamespace  = "service.namespace"
	AttrServiceInstanceID = "service.instance.id"
)

// NHCBScopeName is the instrumentation scope of explicit-bucket
// histograms that were Prometheus native histograms with custom buckets
// (remote write, promqltest): they read back as such instead of as classic
// `_bucket` series.
const NHCBScopeName = "github.com/overlook-dev/overlook/prometheus/nhcb"

// Suffixes of the series a classic histogram or summary expands to.
const (
	SuffixBucket = "_bucket"
	SuffixSum    = "_sum"
	SuffixCount  = "_count"
)

// Family returns the Prometheus metric family name of a stored metric and
// its Prometheus type:
//
//   - gauge → gauge; the name gets the unit suffix, and `_ratio` for unit "1".
//   - monotonic sum → counter with `_total` (delta sums: type unknown, values
//     are per interval).
//   - non-monotonic sum → gauge.
//   - explicit-bucket histogram → histogram (classic `_bucket`/`_sum`/`_count`
//     series); exponential histogram → histogram (native); delta ones are
//     exposed as they are (unknown / gauge histogram).
//   - summary → summary (`{quantile=...}`, `_sum`, `_count`).
//
// It returns "" when the name cannot be translated (nothing but
// underscores after escaping).
func Family(m store.MetricInfo) (string, model.MetricType) {
	var (
		t  otlptranslator.MetricType
		mt model.MetricType
	)
	switch m.Kind {
	case store.MetricGauge:
		t, mt = otlptranslator.MetricTypeGauge, model.MetricTypeGauge
	case store.MetricSum:
		switch {
		case !m.IsMonotonic:
			t, mt = otlptranslator.MetricTypeNonMonotonicCounter, model.MetricTypeGauge
		case m.Temporality == TemporalityDelta:
			t, mt = otlptranslator.MetricTypeMonotonicCounter, model.MetricTypeUnknown
		default:
			t, mt = otlptranslator.MetricTypeMonotonicCounter, model.MetricTypeCounter
		}
	case store.MetricHistogram:
		t, mt = otlptranslator.MetricTypeHistogram, model.MetricTypeHistogram
		if m.Temporality == TemporalityDelta {
			mt = model.MetricTypeUnknown
		}
	case store.MetricExpHistogram:
		t, mt = otlptranslator.MetricTypeExponentialHistogram, model.MetricTypeHistogram
		if m.Temporality == TemporalityDelta {
			mt = model.MetricTypeGaugeHistogram
		}
	case store.MetricSummary:
		t, mt = otlptranslator.MetricTypeSummary, model.MetricTypeSummary
	default:
		return "", model.MetricTypeUnknown
	}
	return MetricName(m.Name, m.Unit, t), mt
}

// MetricName translates an OTLP metric name with its unit and type.
func MetricName(name, unit string, t otlptranslator.MetricType) string {
	if name == "" {
		return ""
	}
	if IsValidMetricName(name) {
		keep := otlptranslator.MetricNamer{WithMetricSuffixes: true, UTF8Allowed: true}
		if n, err := keep.Build(otlptranslator.Metric{Name: name, Unit: unit, Type: t}); err == nil && IsValidMetricName(n) {
			return n
		}
	}
	esc := otlptranslator.MetricNamer{WithMetricSuffixes: true}
	n, err := esc.Build(otlptranslator.Metric{Name: name, Unit: unit, Type: t})
	if err != nil {
		return ""
	}
	return n
}

// Label translates an attribute key to a label name: valid Prometheus
// label names are kept; others have every character outside [a-zA-Z0-9_]
// replaced by `_` (runs collapsed) and `key_` prepended to a leading digit.
// It returns "" for keys that cannot be translated.
func Label(key string) string {
	if IsValidLabelName(key) {
		return key
	}
	var n otlptranslator.LabelNamer
	l, err := n.Build(key)
	if err != nil {
		return ""
	}
	return l
}

// JobInstance returns the job and instance labels of a resource:
// job is service.namespace/service.name (or service.name alone),
// instance is service.instance.id. Empty values mean no label.
func JobInstance(serviceName, namespace, instanceID string) (job, instance string) {
	job = serviceName
	if namespace != "" && serviceName != "" {
		job = namespace + "/" + serviceName
	}
	return job, instanceID
}

// FormatFloat formats a bucket bound or quantile as the `le` and
// `quantile` label values of Prometheus's OTLP translation.
func FormatFloat(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// IsValidMetricName reports whether s is a valid legacy Prometheus metric
// name, [a-zA-Z_:][a-zA-Z0-9_:]*.
func IsValidMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

// IsValidLabelName reports whether s is a valid legacy Prometheus label
// name, [a-zA-Z_][a-zA-Z0-9_]*.
func IsValidLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

// SeriesNames lists the __name__ values the family of m expands to:
// the family itself for gauges, sums and native histograms; `_bucket`,
// `_sum`, `_count` for classic histograms; the family, `_sum` and `_count`
// for summaries.
func SeriesNames(family string, kind store.MetricKind, scope string) []string {
	switch {
	case kind == store.MetricHistogram && scope == NHCBScopeName:
	case kind == store.MetricHistogram:
		return []string{family + SuffixBucket, family + SuffixSum, family + SuffixCount}
	case kind == store.MetricSummary:
		return []string{family, family + SuffixSum, family + SuffixCount}
	}
	return []string{family}
}
