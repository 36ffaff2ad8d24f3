package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/prom/naming"
	"github.com/overlook-dev/overlook/internal/store"
)

// The Metrics Explorer's discovery endpoints: stored (OTLP) metric names
// with their type, unit and description, and the label keys and values of
// one metric's series. Names and keys are the stored ones, as /api/chart
// takes them; the Prometheus family name is given alongside (docs/metrics.md,
// "Names and labels").

const (
	// maxMetricSeries bounds the series read to list a metric's labels.
	maxMetricSeries = 200_000
	// defaultMetricValues is how many values of a label are returned when
	// no limit is given.
	defaultMetricValues = 100
)

// metricKinds maps the API's metric type names to the store's kinds.
var metricKinds = map[string]store.MetricKind{
	"gauge":                 store.MetricGauge,
	"sum":                   store.MetricSum,
	"histogram":             store.MetricHistogram,
	"exponential_histogram": store.MetricExpHistogram,
	"summary":               store.MetricSummary,
}

func kindName(k store.MetricKind) string {
	for n, v := range metricKinds {
		if v == k {
			return n
		}
	}
	return "unknown"
}

// metricEntry is one stored metric in GET /api/metrics.
type metricEntry struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Unit        string `json:"unit,omitempty"`
	Description string `json:"description,omitempty"`
	Monotonic   bool   `json:"monotonic,omitempty"`
	// Temporality is "delta" or "cumulative" for sums and histograms.
	Temporality string `json:"temporality,omitempty"`
	// PromName and PromType are the Prometheus family it reads as.
	PromName string `json:"promName,omitempty"`
	PromType string `json:"promType,omitempty"`
}

// metricLabel is one label key of a metric's series.
type metricLabel struct {
	// Column is ServiceName, Attributes (point attributes) or
	// ResourceAttributes; Key is the attribute key (empty for ServiceName).
	Column string `json:"column"`
	Key    string `json:"key,omitempty"`
	// Series is how many series have the label; Values how many distinct
	// values it has.
	Series int `json:"series"`
	Values int `json:"values"`
}

type labelValue struct {
	Value  string `json:"value"`
	Series int    `json:"series"`
}

func (s *Server) routeMetrics() {
	s.route("GET /api/metrics", "metrics", s.handleMetrics)
	s.route("GET /api/metrics/labels", "metric_labels", s.handleMetricLabels)
	s.route("GET /api/metrics/labels/values", "metric_label_values", s.handleMetricLabelValues)
}

func (s *Server) metricReader(w http.ResponseWriter) (store.MetricReader, bool) {
	mr, ok := s.opts.Store.(store.MetricReader)
	if !ok {
		writeError(w, http.StatusNotImplemented, "this store cannot list metrics")
	}
	return mr, ok
}

// handleMetrics serves GET /api/metrics?q=&start=&end=&limit=: the metrics
// with points in the range whose stored or Prometheus name contains q
// (case-insensitive), sorted by name.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	mr, ok := s.metricReader(w)
	if !ok {
		return
	}
	q := r.URL.Query()
	start, end, msg := parseRange(q.Get("start"), q.Get("end"), time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	limit, msg := parseLimitParam(q.Get("limit"), 100)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	infos, err := mr.MetricInfos(ctx, start, end)
	if err != nil {
		s.queryFailed(w, r, "metric list", fmt.Errorf("list metrics: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"metrics": metricEntries(infos, q.Get("q"), limit)})
}

// metricEntries merges the infos of each (name, type) — a metric stored
// under several scopes or units is listed once, with the first unit and
// description found — and keeps those matching q.
func metricEntries(infos []store.MetricInfo, q string, limit int) []metricEntry {
	q = strings.ToLower(strings.TrimSpace(q))
	type key struct {
		name string
		kind store.MetricKind
	}
	byKey := map[key]*metricEntry{}
	for _, info := range infos {
		k := key{info.Name, info.Kind}
		e := byKey[k]
		if e == nil {
			prom, ptype := naming.Family(info)
			if q != "" && !strings.Contains(strings.ToLower(info.Name), q) && !strings.Contains(strings.ToLower(prom), q) {
				continue
			}
			e = &metricEntry{Name: info.Name, Type: kindName(info.Kind), PromName: prom, PromType: string(ptype),
				Monotonic: info.IsMonotonic}
			switch info.Temporality {
			case naming.TemporalityDelta:
				e.Temporality = "delta"
			case naming.TemporalityCumulative:
				e.Temporality = "cumulative"
			}
			byKey[k] = e
		}
		if e.Unit == "" {
			e.Unit = info.Unit
		}
		if e.Description == "" {
			e.Description = info.Description
		}
	}
	out := make([]metricEntry, 0, len(byKey))
	for _, e := range byKey {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Type < out[j].Type
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// metricSeries reads the series (without points) of the metric named by
// the name and type parameters, answering the error itself when it fails.
func (s *Server) metricSeries(w http.ResponseWriter, r *http.Request) ([]store.MetricSeries, bool) {
	mr, ok := s.metricReader(w)
	if !ok {
		return nil, false
	}
	q := r.URL.Query()
	name := q.Get("name")
	if name == "" {
		writeError(w, http.StatusBadRequest, "name is required: a stored metric name, e.g. name=visa_validation_cache.size")
		return nil, false
	}
	kind, ok := metricKinds[q.Get("type")]
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"unknown metric type %q: use gauge, sum, histogram, exponential_histogram or summary", q.Get("type")))
		return nil, false
	}
	start, end, msg := parseRange(q.Get("start"), q.Get("end"), time.Now())
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return nil, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	series, err := mr.SelectMetrics(ctx, store.MetricSelectParams{Kind: kind, Names: []string{name},
		Start: start, End: end, SeriesOnly: true, MaxPoints: maxMetricSeries})
	if errors.Is(err, store.ErrTooManyPoints) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"%s has more than %d series in the range: narrow the time range", name, maxMetricSeries))
		return nil, false
	}
	if err != nil {
		s.queryFailed(w, r, "metric labels", fmt.Errorf("series of %s: %w", name, err))
		return nil, false
	}
	return series, true
}

// labelsOf calls fn with every label of a series.
func labelsOf(ms *store.MetricSeries, fn func(column, key, value string)) {
	if ms.ServiceName != "" {
		fn("ServiceName", "", ms.ServiceName)
	}
	for k, v := range ms.Attributes {
		fn("Attributes", k, v)
	}
	for k, v := range ms.ResourceAttributes {
		fn("ResourceAttributes", k, v)
	}
}

// handleMetricLabels serves GET /api/metrics/labels?name=&type=&start=&end=:
// the label keys of the metric's series in the range, point attributes
// first, each with its series and distinct value counts.
func (s *Server) handleMetricLabels(w http.ResponseWriter, r *http.Request) {
	series, ok := s.metricSeries(w, r)
	if !ok {
		return
	}
	type key struct{ column, key string }
	counts := map[key]*metricLabel{}
	distinct := map[key]map[string]struct{}{}
	for i := range series {
		labelsOf(&series[i], func(column, k, v string) {
			kk := key{column, k}
			l := counts[kk]
			if l == nil {
				l = &metricLabel{Column: column, Key: k}
				counts[kk] = l
				distinct[kk] = map[string]struct{}{}
			}
			l.Series++
			distinct[kk][v] = struct{}{}
		})
	}
	order := map[string]int{"Attributes": 0, "ServiceName": 1, "ResourceAttributes": 2}
	out := make([]metricLabel, 0, len(counts))
	for k, l := range counts {
		l.Values = len(distinct[k])
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Column != out[j].Column {
			return order[out[i].Column] < order[out[j].Column]
		}
		return out[i].Key < out[j].Key
	})
	writeJSON(w, http.StatusOK, map[string]any{"series": len(series), "labels": out})
}

// handleMetricLabelValues serves GET /api/metrics/labels/values?name=&type=
// &column=&key=&start=&end=&limit=: the values of one label of the metric,
// most frequent (by series) first.
func (s *Server) handleMetricLabelValues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	column, key := q.Get("column"), q.Get("key")
	switch {
	case column == "ServiceName":
	case column == "Attributes" || column == "ResourceAttributes":
		if key == "" {
			writeError(w, http.StatusBadRequest, "key is required with column="+column)
			return
		}
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"unknown column %q: use ServiceName, Attributes or ResourceAttributes", column))
		return
	}
	limit, msg := parseLimitParam(q.Get("limit"), defaultMetricValues)
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	series, ok := s.metricSeries(w, r)
	if !ok {
		return
	}
	counts := map[string]int{}
	for i := range series {
		labelsOf(&series[i], func(c, k, v string) {
			if c == column && k == key {
				counts[v]++
			}
		})
	}
	out := make([]labelValue, 0, len(counts))
	for v, n := range counts {
		out = append(out, labelValue{Value: v, Series: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Series != out[j].Series {
			return out[i].Series > out[j].Series
		}
		return out[i].Value < out[j].Value
	})
	if len(out) > limit {
		out = out[:limit]
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": out})
}

// parseLimitParam reads an optional positive limit (def when empty).
func parseLimitParam(s string, def int) (int, string) {
	if s == "" {
		return def, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Sprintf("limit %q must be a positive integer", s)
	}
	return n, ""
}
