package search

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/overlook-dev/overlook/internal/alerting/notify"
	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/query"
)

// Interval bounds: the API takes any duration in [MinInterval,
// MaxInterval]; the UI offers HyperDX's 1m, 5m, 15m, 30m, 1h, 6h, 12h, 1d.
const (
	MinInterval = 5 * time.Second
	MaxInterval = 7 * 24 * time.Hour
	// DefaultRepeatInterval re-sends a still-firing notice (Alertmanager's
	// default repeat_interval).
	DefaultRepeatInterval = 4 * time.Hour
	// maxTemplateBytes bounds the message template.
	maxTemplateBytes = 8 << 10
)

// ValidationError is an invalid alert: Field names the JSON field at fault.
type ValidationError struct {
	Field string
	Msg   string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Msg }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Dashboards finds a dashboard for tile alerts (meta.Store does).
type Dashboards interface {
	Get(id string) (meta.Dashboard, error)
}

// ParseInterval parses a Go duration, also accepting a day suffix ("1d").
func ParseInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d < 0 || d > 3650 {
			return 0, fmt.Errorf("%q is not a duration: use e.g. 30s, 5m, 1h or 1d", s)
		}
		return time.Duration(d) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: use e.g. 30s, 5m, 1h or 1d", s)
	}
	return d, nil
}

// Normalize checks a and fills defaults (whereLanguage lucene,
// thresholdType above). Every error is a *ValidationError naming the
// field and the fix.
func Normalize(a meta.Alert, dashboards Dashboards, limits query.Limits) (meta.Alert, error) {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return a, invalid("name", "is empty: give the alert a name (it is the notices' alertname label)")
	}
	if a.GroupBy == nil {
		a.GroupBy = []string{}
	}
	d, err := ParseInterval(a.Interval)
	if err != nil {
		return a, invalid("interval", "%v", err)
	}
	if d < MinInterval || d > MaxInterval {
		return a, invalid("interval", "%s is out of range: use %s to %s", d, MinInterval, "7d")
	}
	if a.ThresholdType == "" {
		a.ThresholdType = "above"
	}
	if !validThresholdType(a.ThresholdType) {
		return a, invalid("thresholdType", "%q is unknown: use %s", a.ThresholdType, strings.Join(ThresholdTypes, ", "))
	}
	if math.IsNaN(a.Threshold) || math.IsInf(a.Threshold, 0) {
		return a, invalid("threshold", "must be a finite number")
	}
	switch {
	case a.ThresholdType == "between" || a.ThresholdType == "not_between":
		if a.ThresholdMax == nil || math.IsNaN(*a.ThresholdMax) || math.IsInf(*a.ThresholdMax, 0) || *a.ThresholdMax < a.Threshold {
			return a, invalid("thresholdMax", "%s needs thresholdMax, a number at least threshold (%s)", a.ThresholdType, fmtValue(a.Threshold))
		}
	case a.ThresholdMax != nil:
		return a, invalid("thresholdMax", "is only for between and not_between: remove it")
	}
	if a.RepeatInterval != "" {
		r, err := ParseInterval(a.RepeatInterval)
		if err != nil || r < time.Minute {
			return a, invalid("repeatInterval", "%q: use a duration of at least 1m, e.g. 4h", a.RepeatInterval)
		}
	}
	if err := channelConfig(a.Channel).Validate(); err != nil {
		return a, &ValidationError{Field: "channel", Msg: strings.TrimPrefix(err.Error(), "channel.")}
	}
	if err := checkMessage(a.Message); err != nil {
		return a, err
	}
	if a.DashboardID != "" || a.TileID != "" {
		return normalizeTile(a, dashboards, limits)
	}
	switch a.Source {
	case "logs", "traces":
	case "":
		return a, invalid("source", "is empty: use logs or traces for a search alert, or give dashboardId and tileId for a tile alert")
	default:
		return a, invalid("source", "%q is unknown: use logs or traces (alerts on metrics: a tile alert, or a Prometheus rule)", a.Source)
	}
	switch strings.ToLower(a.WhereLanguage) {
	case "", "lucene":
		a.WhereLanguage = "lucene"
	case "sql":
		a.WhereLanguage = "sql"
	case "traceql":
		return a, invalid("whereLanguage", "traceql is not supported for alerts: write the filter in lucene or sql")
	default:
		return a, invalid("whereLanguage", "%q is unknown: use lucene or sql", a.WhereLanguage)
	}
	if len(a.GroupBy) > query.MaxChartGroupBy {
		return a, invalid("groupBy", "at most %d expressions", query.MaxChartGroupBy)
	}
	req, err := chartRequest(&a, nil, limits)
	if err != nil {
		return a, err
	}
	return a, planCheck(req, d)
}

func normalizeTile(a meta.Alert, dashboards Dashboards, limits query.Limits) (meta.Alert, error) {
	if a.DashboardID == "" || a.TileID == "" {
		return a, invalid("tileId", "a tile alert needs both dashboardId and tileId")
	}
	if a.Source != "" || a.Query != "" || len(a.GroupBy) > 0 {
		return a, invalid("source", "a tile alert evaluates the tile's chart: leave source, query and groupBy empty")
	}
	if dashboards == nil {
		return a, invalid("dashboardId", "this server keeps no dashboards")
	}
	dash, err := dashboards.Get(a.DashboardID)
	if errors.Is(err, meta.ErrNotFound) {
		return a, invalid("dashboardId", "dashboard %q not found", a.DashboardID)
	} else if err != nil {
		return a, fmt.Errorf("read dashboard %q: %w", a.DashboardID, err)
	}
	tile, ok := findTile(&dash, a.TileID)
	if !ok {
		return a, invalid("tileId", "dashboard %q has no tile %q", dash.Name, a.TileID)
	}
	if tile.Config.Source == meta.SourcePromQL {
		expr := ""
		if len(tile.Config.Queries) > 0 {
			expr = tile.Config.Queries[0].Expr
		}
		return a, invalid("tileId", "tile %q is a PromQL tile: alert on it with a Prometheus alerting rule in a rule file (extensions::overlook::alerting::rule_files, docs/alerting.md), expr: %s", tile.Config.Name, expr)
	}
	if tile.Config.DisplayType == "markdown" || tile.Config.DisplayType == "heatmap" {
		return a, invalid("tileId", "tile %q is a %s tile: alert on a line, bar, table or number tile", tile.Config.Name, tile.Config.DisplayType)
	}
	d, _ := ParseInterval(a.Interval)
	req, err := chartRequest(&a, &dash, limits)
	if err != nil {
		return a, err
	}
	return a, planCheck(req, d)
}

func findTile(d *meta.Dashboard, id string) (meta.Tile, bool) {
	for _, t := range d.Tiles {
		if t.ID == id {
			return t, true
		}
	}
	return meta.Tile{}, false
}

// planCheck plans req without running it, so unknown fields and bad
// expressions are a 400 at save time, not an error state later.
func planCheck(req *query.ChartRequest, window time.Duration) error {
	end := time.Now()
	_, err := query.PlanChart(req, end.Add(-window), end, query.DuckDB)
	if err == nil {
		return nil
	}
	var ce *query.ChartError
	if errors.As(err, &ce) {
		field := map[string]string{"where": "query", "source": "source"}[ce.Field]
		if field == "" {
			field = ce.Field
		}
		return invalid(field, "%v", ce.Err)
	}
	return invalid("query", "%v", err)
}

// chartRequest is the one query an evaluation runs: a table chart (one
// value per series over the window). dash is the tile's dashboard for a
// tile alert (nil for a search alert); the tile's own chart is evaluated,
// without the dashboard's interactive filter.
func chartRequest(a *meta.Alert, dash *meta.Dashboard, limits query.Limits) (*query.ChartRequest, error) {
	if dash == nil {
		return &query.ChartRequest{Source: a.Source, Select: []query.ChartSelect{{AggFn: "count"}},
			Where: a.Query, WhereLanguage: a.WhereLanguage, GroupBy: query.GroupByList(a.GroupBy),
			DisplayType: query.DisplayTable, Limit: query.MaxChartLimit, Limits: limits}, nil
	}
	tile, ok := findTile(dash, a.TileID)
	if !ok {
		return nil, invalid("tileId", "dashboard %q has no tile %q (was it deleted?)", dash.Name, a.TileID)
	}
	c := tile.Config
	req := &query.ChartRequest{Source: c.Source, Where: c.Where, WhereLanguage: c.WhereLanguage,
		GroupBy: query.GroupByList(c.GroupBy), DisplayType: query.DisplayTable, Limit: c.Limit,
		SeriesReturnType: c.SeriesReturnType, Limits: limits}
	for _, s := range c.Select {
		cs := query.ChartSelect{AggFn: s.AggFn, ValueExpression: s.ValueExpression, Alias: s.Alias,
			AggCondition: s.AggCondition, AggConditionLanguage: s.AggConditionLanguage,
			MetricName: s.MetricName, MetricType: s.MetricType}
		if s.Level != nil {
			cs.Level = *s.Level
		}
		req.Select = append(req.Select, cs)
	}
	return req, nil
}

func channelConfig(c meta.Channel) notify.ChannelConfig {
	return notify.ChannelConfig{Type: c.Type, URL: c.URL, Body: c.Body, ContentType: c.ContentType, Headers: c.Headers}
}

func checkMessage(m string) error {
	if m == "" {
		return nil
	}
	if len(m) > maxTemplateBytes {
		return invalid("message", "is longer than %d bytes", maxTemplateBytes)
	}
	t, err := template.New("message").Option("missingkey=zero").Parse(m)
	if err != nil {
		return invalid("message", "is not a valid Go text/template: %v", err)
	}
	if err := t.Execute(io.Discard, sampleData()); err != nil {
		return invalid("message", "fails on a sample alert: %v", err)
	}
	return nil
}
