package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

// ChartRequest is a chart in HyperDX's tile vocabulary (the body of
// POST /api/chart, less the time range): what to aggregate (Select), over
// which rows (Source, Where), split by what (GroupBy) and bucketed how
// (Granularity, DisplayType). See docs/query-language.md, "Charts".
type ChartRequest struct {
	// Source is "logs", "traces" or "metrics".
	Source string `json:"source"`
	// Select lists the aggregates; each becomes one series per group.
	Select []ChartSelect `json:"select"`
	// Where filters every select (in WhereLanguage: "lucene", the default,
	// or "sql").
	Where         string `json:"where"`
	WhereLanguage string `json:"whereLanguage"`
	// GroupBy splits each select by these value expressions (SQL-mode
	// expressions: ServiceName, SpanAttributes['app.payment.card_type']).
	// JSON accepts a list or one comma-separated string (HyperDX).
	GroupBy GroupByList `json:"groupBy"`
	// Granularity is the bucket width of time-series charts: "auto"
	// (default, ≤ 120 buckets) or e.g. "1 minute", "5 minute", "1 hour".
	Granularity string `json:"granularity"`
	// DisplayType is "line" (default), "stacked_bar" (same data as line),
	// "table" and "number" (one value per series over the whole range) or
	// "heatmap" (value × time density).
	DisplayType string `json:"displayType"`
	// Limit is how many groups are kept, ranked by the first select over
	// the whole range; the rest are aggregated into one "Other" series.
	// Zero: 10; at most 100.
	Limit int `json:"limit"`
	// MetricName and MetricType are defaults for select items on the
	// metrics source that do not name their own.
	MetricName string `json:"metricName"`
	MetricType string `json:"metricType"`
	// Heatmap tunes the heatmap display type.
	Heatmap *HeatmapOptions `json:"heatmap,omitempty"`
	// Limits bound the complexity of where and aggCondition (not JSON: the
	// server's configuration sets them; zero fields use the defaults).
	Limits Limits `json:"-"`
	// SeriesReturnType is HyperDX's: "column" (default, one series per
	// select and group) or "ratio" (exactly two selects; one series per
	// group: select[0] / select[1] in each bucket). See chart_ratio.go.
	SeriesReturnType string `json:"seriesReturnType,omitempty"`
}

// ChartSelect is one aggregate of a chart.
type ChartSelect struct {
	// AggFn is count, count_distinct, sum, avg, min, max, quantile, any,
	// last_value, rate or increase.
	AggFn string `json:"aggFn"`
	// ValueExpression is what is aggregated: a SQL-mode value expression
	// (Duration, toFloat64(LogAttributes['latency'])). Optional for count.
	ValueExpression string `json:"valueExpression"`
	// Level is the quantile in (0, 1) for aggFn quantile (0.5, 0.95, 0.99).
	Level float64 `json:"level"`
	// Where restricts this select only (aggCondition in HyperDX), in
	// WhereLanguage (default: the chart's whereLanguage).
	Where         string `json:"where"`
	WhereLanguage string `json:"whereLanguage"`
	// AggCondition and AggConditionLanguage are HyperDX's names for Where
	// and WhereLanguage; give one or the other.
	AggCondition         string `json:"aggCondition"`
	AggConditionLanguage string `json:"aggConditionLanguage"`
	// Alias names the series.
	Alias string `json:"alias"`
	// MetricName and MetricType (gauge, sum, histogram) pick the metric on
	// the metrics source.
	MetricName string `json:"metricName"`
	MetricType string `json:"metricType"`
}

// HeatmapOptions tunes the value axis of a heatmap.
type HeatmapOptions struct {
	// Bins is the number of value buckets. Zero: 40; at most 200.
	Bins int `json:"bins"`
	// Scale is "log" (default: durations are log-normal) or "linear".
	Scale string `json:"scale"`
	// Min and Max fix the value axis; when both are zero they are taken
	// from the data (one more scan).
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// GroupByList is a chart's groupBy: a JSON list of expressions, or one
// string holding a comma-separated list.
type GroupByList []string

// UnmarshalJSON accepts ["a", "b"], "a, b", "" and null.
func (g *GroupByList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			*g = nil
			return nil
		}
		*g = GroupByList{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("groupBy must be a list of expressions or a string: %w", err)
	}
	*g = list
	return nil
}

// ChartError is an invalid chart request. Field is the JSON path of the
// culprit ("select[0].valueExpression"); Err may be a *SyntaxError,
// *FieldError or *TypeError carrying the position inside that field.
type ChartError struct {
	Field string
	Err   error
}

// Error implements error.
func (e *ChartError) Error() string {
	if e.Field == "" {
		return e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *ChartError) Unwrap() error { return e.Err }

func chartErr(field, format string, a ...any) error {
	return &ChartError{Field: field, Err: fmt.Errorf(format, a...)}
}

// Aggregate functions.
const (
	AggCount         = "count"
	AggCountDistinct = "count_distinct"
	AggSum           = "sum"
	AggAvg           = "avg"
	AggMin           = "min"
	AggMax           = "max"
	AggQuantile      = "quantile"
	AggAny           = "any"
	AggLastValue     = "last_value"
	AggRate          = "rate"
	AggIncrease      = "increase"
)

var aggFns = []string{AggCount, AggCountDistinct, AggSum, AggAvg, AggMin, AggMax, AggQuantile,
	AggAny, AggLastValue, AggRate, AggIncrease}

// aggAliases are other spellings of the aggregate functions.
var aggAliases = map[string]string{
	"countdistinct": AggCountDistinct, "uniq": AggCountDistinct, "average": AggAvg, "mean": AggAvg,
	"maximum": AggMax, "minimum": AggMin, "p": AggQuantile, "percentile": AggQuantile,
	"last": AggLastValue, "lastvalue": AggLastValue, "any_value": AggAny,
}

// quantileShorthands are HyperDX's p50/p90/p95/p99 aggFns.
var quantileShorthands = map[string]float64{"p50": 0.5, "p75": 0.75, "p90": 0.9, "p95": 0.95, "p99": 0.99}

// Display types.
const (
	DisplayLine    = "line"
	DisplayTable   = "table"
	DisplayNumber  = "number"
	DisplayHeatmap = "heatmap"
)

// Metric types.
const (
	MetricGauge     = "gauge"
	MetricSum       = "sum"
	MetricHistogram = "histogram"
)

// Chart limits.
const (
	DefaultChartLimit = 10
	MaxChartLimit     = 100
	MaxChartSelects   = 20
	MaxChartGroupBy   = 5
	// MaxChartRows bounds the rows one chart query may return (buckets ×
	// groups, or histogram points); beyond it the chart fails with a
	// message asking for a narrower chart.
	MaxChartRows = 500_000
	// MaxChartBytes bounds the estimated size of those rows.
	MaxChartBytes = 256 << 20
	// metricLookback is how far before the range start cumulative counters
	// are read, so the first bucket's increase is not lost.
	metricLookback = 5 * time.Minute
)

// metricsSource is the search source of one metrics table: where filters
// resolve attribute keys in the point, resource and scope attributes, and
// bare words match the metric name.
func metricsSource(t *schema.Table) *schema.Source {
	return &schema.Source{Name: "metrics", Table: t, TextColumn: "MetricName",
		MapColumns: []string{"Attributes", "ResourceAttributes", "ScopeAttributes"}}
}

// chartSpec is a validated ChartRequest with its time range.
type chartSpec struct {
	source     string // logs, traces, metrics
	start, end time.Time
	step       time.Duration // 0: one value over the whole range
	display    string
	limit      int
	where      Node
	groups     []Expr
	groupNames []string
	selects    []selectSpec
	heatmap    *HeatmapOptions
	ratio      bool // seriesReturnType "ratio": select[0] / select[1]
}

// selectSpec is a validated select item.
type selectSpec struct {
	fn        string
	level     float64
	value     Expr // nil: count(*)
	valueText string
	where     Node
	name      string
	src       *schema.Source
	metric    string // metric name (metrics source)
	mtype     string // gauge, sum, histogram
}

// validate checks r and parses every expression in it. It returns
// *ChartError naming the JSON field at fault.
func (r *ChartRequest) validate(start, end time.Time) (*chartSpec, error) {
	s := &chartSpec{source: strings.ToLower(strings.TrimSpace(r.Source)), start: start.UTC(), end: end.UTC()}
	if start.IsZero() || end.IsZero() || !start.Before(end) {
		return nil, chartErr("start", "a time range with start before end is required")
	}
	switch s.source {
	case "logs", "traces", "metrics":
	default:
		return nil, chartErr("source", "unknown source %q: use \"logs\", \"traces\" or \"metrics\"", r.Source)
	}
	switch d := strings.ToLower(strings.TrimSpace(r.DisplayType)); d {
	case "", DisplayLine, "stacked_bar", "bar", "area":
		s.display = DisplayLine
	case DisplayTable, DisplayNumber, DisplayHeatmap:
		s.display = d
	default:
		return nil, chartErr("displayType", "unknown displayType %q: use line, stacked_bar, table, number or heatmap", r.DisplayType)
	}
	switch {
	case r.Limit == 0:
		s.limit = DefaultChartLimit
	case r.Limit < 0 || r.Limit > MaxChartLimit:
		return nil, chartErr("limit", "limit %d is out of range: use 1 to %d groups", r.Limit, MaxChartLimit)
	default:
		s.limit = r.Limit
	}
	if err := s.setStep(r.Granularity); err != nil {
		return nil, err
	}
	lang := r.WhereLanguage
	n, err := r.parseWhere(r.Where, lang)
	if err != nil {
		return nil, &ChartError{Field: "where", Err: err}
	}
	s.where = n
	if err := s.setGroups(r.GroupBy); err != nil {
		return nil, err
	}
	if len(r.Select) == 0 {
		return nil, chartErr("select", "at least one select item is required, e.g. {\"aggFn\": \"count\"}")
	}
	if len(r.Select) > MaxChartSelects {
		return nil, chartErr("select", "at most %d select items, got %d", MaxChartSelects, len(r.Select))
	}
	if err := s.setReturnType(r.SeriesReturnType, len(r.Select)); err != nil {
		return nil, err
	}
	for i := range r.Select {
		sel, err := r.validateSelect(s, i)
		if err != nil {
			return nil, err
		}
		s.selects = append(s.selects, sel)
	}
	if s.display == DisplayHeatmap {
		if err := s.validateHeatmap(r.Heatmap); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *chartSpec) setStep(g string) error {
	if s.display == DisplayTable || s.display == DisplayNumber {
		return nil
	}
	step, err := ParseGranularity(g)
	if err != nil {
		return &ChartError{Field: "granularity", Err: err}
	}
	if step == 0 {
		step = AutoGranularity(s.start, s.end)
	}
	if n := bucketCount(s.start, s.end, step); n > MaxBuckets {
		return chartErr("granularity", "granularity %s over %s gives %d buckets, more than %d: use a coarser granularity or \"auto\"",
			FormatGranularity(step), s.end.Sub(s.start), n, MaxBuckets)
	}
	s.step = step
	return nil
}

func (s *chartSpec) setGroups(gb GroupByList) error {
	for i, g := range gb {
		field := fmt.Sprintf("groupBy[%d]", i)
		list, err := ParseSQLExprList(g)
		if err != nil {
			return &ChartError{Field: field, Err: err}
		}
		for _, e := range list {
			s.groups = append(s.groups, e)
			s.groupNames = append(s.groupNames, exprText(g, e, list))
		}
	}
	if len(s.groups) > MaxChartGroupBy {
		return chartErr("groupBy", "at most %d group-by expressions, got %d", MaxChartGroupBy, len(s.groups))
	}
	if len(s.groups) > 0 && s.display == DisplayHeatmap {
		return chartErr("groupBy", "a heatmap shows one distribution and cannot be grouped: remove groupBy, or chart the groups with displayType line or table")
	}
	if len(s.groups) > 0 && s.display == DisplayNumber {
		return chartErr("groupBy", "displayType %s shows one series: remove groupBy or use line or table", s.display)
	}
	return nil
}

// exprText is the source text of e within its groupBy string: the whole
// string for a single expression, else the comma-separated piece.
func exprText(src string, e Expr, list []Expr) string {
	if len(list) == 1 {
		return strings.TrimSpace(src)
	}
	start := e.Position()
	end := len(src)
	for i, x := range list {
		if x == e && i+1 < len(list) {
			end = list[i+1].Position()
		}
	}
	return strings.TrimRight(strings.TrimSpace(src[start:end]), ", ")
}

// parseWhere parses a filter in the given language ("lucene" or "sql"),
// within r.Limits.
func (r *ChartRequest) parseWhere(q, lang string) (Node, error) {
	return ParseLimited(q, lang, r.Limits)
}

func (r *ChartRequest) validateSelect(s *chartSpec, i int) (selectSpec, error) {
	in := r.Select[i]
	at := func(f string) string { return fmt.Sprintf("select[%d].%s", i, f) }
	sel := selectSpec{level: in.Level, valueText: strings.TrimSpace(in.ValueExpression), name: in.Alias}
	fn := strings.ToLower(strings.TrimSpace(in.AggFn))
	if q, ok := quantileShorthands[fn]; ok {
		fn, sel.level = AggQuantile, q
	}
	if a, ok := aggAliases[fn]; ok {
		fn = a
	}
	if fn == "" {
		fn = AggCount
	}
	known := false
	for _, f := range aggFns {
		known = known || f == fn
	}
	if !known {
		return sel, chartErr(at("aggFn"), "unknown aggFn %q: use one of %s", in.AggFn, strings.Join(aggFns, ", "))
	}
	sel.fn = fn
	if fn == AggQuantile {
		if sel.level == 0 {
			return sel, chartErr(at("level"), "quantile needs a level in (0, 1), e.g. 0.95")
		}
		if !(sel.level > 0 && sel.level < 1) || math.IsNaN(sel.level) {
			return sel, chartErr(at("level"), "level %v is out of range: use a number in (0, 1), e.g. 0.95", sel.level)
		}
	} else if in.Level != 0 {
		return sel, chartErr(at("level"), "level is only used by aggFn quantile")
	}
	where, lang, whereField := in.Where, in.WhereLanguage, "where"
	if in.AggCondition != "" {
		if in.Where != "" {
			return sel, chartErr(at("aggCondition"), "give where or aggCondition, not both")
		}
		where, lang, whereField = in.AggCondition, in.AggConditionLanguage, "aggCondition"
	}
	if lang == "" {
		lang = r.WhereLanguage
	}
	n, err := r.parseWhere(where, lang)
	if err != nil {
		return sel, &ChartError{Field: at(whereField), Err: err}
	}
	sel.where = n
	if s.source == "metrics" {
		if err := r.validateMetric(s, &sel, in, at); err != nil {
			return sel, err
		}
	} else {
		src, _ := schema.SourceByName(s.source)
		sel.src = src
		if fn == AggRate || fn == AggIncrease {
			return sel, chartErr(at("aggFn"), "%s works on counters: use source \"metrics\" with a sum metric (for event rates use count)", fn)
		}
		if in.MetricName != "" || in.MetricType != "" {
			return sel, chartErr(at("metricName"), "metricName and metricType are for source \"metrics\"")
		}
	}
	if sel.valueText != "" && !(s.source == "metrics" && strings.EqualFold(sel.valueText, "Value")) {
		e, err := ParseSQLExpr(sel.valueText)
		if err != nil {
			return sel, &ChartError{Field: at("valueExpression"), Err: err}
		}
		sel.value = e
	}
	if s.source == "metrics" {
		if sel.value != nil && sel.mtype == MetricHistogram {
			return sel, chartErr(at("valueExpression"), "histogram metrics are aggregated from their buckets: leave valueExpression empty")
		}
		if sel.value == nil && sel.mtype != MetricHistogram && fn != AggCount {
			sel.value = &Field{Name: "Value"}
		}
	}
	if sel.value == nil && fn != AggCount && s.source != "metrics" {
		if s.display == DisplayHeatmap && s.source == "traces" {
			sel.value = &Field{Name: "Duration"}
		} else {
			return sel, chartErr(at("valueExpression"), "aggFn %s needs a valueExpression, e.g. \"Duration\"", fn)
		}
	}
	if s.display == DisplayHeatmap {
		if fn != AggCount {
			return sel, chartErr(at("aggFn"), "a heatmap counts rows per time and value bucket: use aggFn count (or leave it empty)")
		}
		if i > 0 {
			return sel, chartErr("select", "a heatmap has exactly one select item (its valueExpression is the value axis)")
		}
		if sel.value == nil {
			if s.source != "traces" {
				return sel, chartErr(at("valueExpression"), "a heatmap needs a numeric valueExpression for its value axis")
			}
			sel.value = &Field{Name: "Duration"}
		}
	}
	if sel.name == "" {
		sel.name = defaultSelectName(sel)
	}
	return sel, nil
}

// validateMetric resolves the metric name and type of a metrics select.
func (r *ChartRequest) validateMetric(s *chartSpec, sel *selectSpec, in ChartSelect, at func(string) string) error {
	name, typ := in.MetricName, in.MetricType
	if name == "" {
		name = r.MetricName
	}
	if typ == "" {
		typ = r.MetricType
	}
	if strings.TrimSpace(name) == "" {
		return chartErr(at("metricName"), "source \"metrics\" needs a metricName (e.g. visa_validation_cache.size)")
	}
	sel.metric = name
	var t *schema.Table
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case MetricGauge:
		sel.mtype, t = MetricGauge, &schema.MetricsGauge
	case MetricSum, "counter":
		sel.mtype, t = MetricSum, &schema.MetricsSum
	case MetricHistogram:
		sel.mtype, t = MetricHistogram, &schema.MetricsHistogram
	case "":
		return chartErr(at("metricType"), "source \"metrics\" needs a metricType: gauge, sum or histogram")
	default:
		return chartErr(at("metricType"), "metricType %q is not supported: use gauge, sum or histogram", typ)
	}
	sel.src = metricsSource(t)
	switch {
	case (sel.fn == AggRate || sel.fn == AggIncrease) && sel.mtype != MetricSum:
		return chartErr(at("aggFn"), "%s needs a sum (counter) metric; %s is a %s: use avg, min, max or last_value", sel.fn, name, sel.mtype)
	case sel.mtype == MetricHistogram && !(sel.fn == AggQuantile || sel.fn == AggCount || sel.fn == AggSum || sel.fn == AggAvg):
		return chartErr(at("aggFn"), "a histogram metric supports quantile, count, sum and avg, not %s", sel.fn)
	case s.display == DisplayHeatmap:
		return chartErr("displayType", "heatmaps are drawn from logs or traces, not metrics")
	}
	return nil
}

func defaultSelectName(sel selectSpec) string {
	fn := sel.fn
	if fn == AggQuantile {
		fn = fmt.Sprintf("p%s", trimFloat(sel.level*100))
	}
	what := sel.valueText
	if sel.metric != "" {
		what = sel.metric
	}
	if what == "" {
		return fn
	}
	return fn + "(" + what + ")"
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", f), "0"), ".")
}

func (s *chartSpec) validateHeatmap(h *HeatmapOptions) error {
	o := HeatmapOptions{Bins: 40, Scale: "log"}
	if h != nil {
		if h.Bins != 0 {
			o.Bins = h.Bins
		}
		if h.Scale != "" {
			o.Scale = strings.ToLower(h.Scale)
		}
		o.Min, o.Max = h.Min, h.Max
	}
	if o.Bins < 1 || o.Bins > 200 {
		return chartErr("heatmap.bins", "bins %d is out of range: use 1 to 200", o.Bins)
	}
	if o.Scale != "log" && o.Scale != "linear" {
		return chartErr("heatmap.scale", "unknown scale %q: use \"log\" or \"linear\"", o.Scale)
	}
	if o.Min != 0 || o.Max != 0 {
		if !(o.Min < o.Max) || math.IsInf(o.Min, 0) || math.IsInf(o.Max, 0) {
			return chartErr("heatmap.min", "heatmap min %v must be below max %v", o.Min, o.Max)
		}
		if o.Scale == "log" && o.Min <= 0 {
			return chartErr("heatmap.min", "a log-scale heatmap needs min > 0, got %v", o.Min)
		}
	}
	s.heatmap = &o
	return nil
}
