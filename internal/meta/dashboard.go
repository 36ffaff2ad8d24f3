// Package meta is overlook's metadata store: dashboards (and later saved
// searches and alerts), kept durably as one JSON document under
// <data dir>/meta/. Writes go to a temporary file that is fsynced and then
// renamed over the old one, so a crash leaves either the old or the new
// document, never a torn one.
package meta

import "time"

// Dashboard is a grid of chart tiles with a dashboard-level time range and
// filter. Tile configs use HyperDX's tile vocabulary, so HyperDX exports
// import field by field.
type Dashboard struct {
	ID   string   `json:"id"`
	Name string   `json:"name"`
	Tags []string `json:"tags"`
	// Tiles are laid out on a 24-column grid (HyperDX's).
	Tiles []Tile `json:"tiles"`
	// TimeRange is the default relative range, e.g. "1h" (empty: the UI's).
	TimeRange string `json:"timeRange,omitempty"`
	// Where filters every tile, in WhereLanguage ("lucene" or "sql").
	Where         string `json:"where,omitempty"`
	WhereLanguage string `json:"whereLanguage,omitempty"`
	// Variables are template variables (imported from Grafana) shown as
	// selects above the grid; PromQL tiles reference them as $name.
	Variables []Variable `json:"variables,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

// Tile is one chart on the grid.
type Tile struct {
	ID     string     `json:"id"`
	X      int        `json:"x"`
	Y      int        `json:"y"`
	W      int        `json:"w"`
	H      int        `json:"h"`
	Config TileConfig `json:"config"`
}

// TileConfig is a chart in HyperDX tile vocabulary (the body of
// POST /api/chart without the time range). Source is "logs", "traces" or
// "metrics".
type TileConfig struct {
	Name          string   `json:"name"`
	Source        string   `json:"source"`
	DisplayType   string   `json:"displayType,omitempty"`
	Select        []Select `json:"select"`
	Where         string   `json:"where,omitempty"`
	WhereLanguage string   `json:"whereLanguage,omitempty"`
	GroupBy       []string `json:"groupBy,omitempty"`
	Granularity   string   `json:"granularity,omitempty"`
	Limit         int      `json:"limit,omitempty"`
	// SeriesReturnType is "ratio" for one series select[0] / select[1]
	// (exactly two selects), else empty ("column").
	SeriesReturnType string `json:"seriesReturnType,omitempty"`
	// NumberFormat is how the UI shows values; not part of the chart
	// request.
	NumberFormat *NumberFormat `json:"numberFormat,omitempty"`
	// Queries are the PromQL queries of a tile whose Source is "promql"
	// (SourcePromQL); Select is then empty. Each runs against
	// /prometheus/api/v1/query_range with the dashboard's variables and the
	// built-ins $__interval, $__rate_interval and $__range substituted.
	Queries []PromQuery `json:"queries,omitempty"`
	// Reduce is how a PromQL "number" or "table" tile turns each series
	// into one value: "last" (default), "mean", "max", "min" or "sum".
	Reduce string `json:"reduce,omitempty"`
}

// SourcePromQL is the Source of a tile drawn from PromQL queries.
const SourcePromQL = "promql"

// PromQuery is one PromQL query of a tile.
type PromQuery struct {
	// Expr is the PromQL expression; it may reference $variables.
	Expr string `json:"expr"`
	// Legend names each series; {{label}} is replaced by the series'
	// label value (Grafana's legendFormat). Empty: the label set.
	Legend string `json:"legend,omitempty"`
	// Instant asks for one point at the end of the range
	// (/prometheus/api/v1/query) instead of a range query.
	Instant bool `json:"instant,omitempty"`
}

// Variable is a dashboard template variable. Its value replaces $Name,
// ${Name} (and ${Name:format}) in PromQL tile queries.
type Variable struct {
	Name  string `json:"name"`
	Label string `json:"label,omitempty"`
	// Type is where the values come from:
	//   - "label_values": /prometheus/api/v1/label/<LabelName>/values,
	//     restricted to the series of Match when set;
	//   - "label_names": /prometheus/api/v1/labels;
	//   - "query_result": each series of the instant query Query, written
	//     as `name{labels} value timestamp` (Grafana's query_result);
	//   - "custom" and "interval": Options.
	Type      string `json:"type"`
	LabelName string `json:"labelName,omitempty"`
	Match     string `json:"match,omitempty"`
	Query     string `json:"query,omitempty"`
	// Regex filters (and with a capture group, extracts) fetched values.
	Regex   string           `json:"regex,omitempty"`
	Options []VariableOption `json:"options,omitempty"`
	// Current is the selected value(s) when the dashboard opens.
	Current []string `json:"current,omitempty"`
	// Multi allows several values, substituted as a regex alternation
	// (a|b); IncludeAll offers "All", substituted as AllValue or ".*".
	Multi      bool   `json:"multi,omitempty"`
	IncludeAll bool   `json:"includeAll,omitempty"`
	AllValue   string `json:"allValue,omitempty"`
}

// VariableOption is one fixed choice of a custom or interval variable.
type VariableOption struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// NumberFormat is HyperDX's tile number format. The UI formats "percent"
// (a ratio of 0.25 shows as 25%), "byte", "time" and "number"; every field
// survives import and export.
type NumberFormat struct {
	// Output is "number", "percent", "byte", "time" or "currency".
	Output string `json:"output"`
	// Mantissa is the number of decimals.
	Mantissa          *int     `json:"mantissa,omitempty"`
	ThousandSeparated *bool    `json:"thousandSeparated,omitempty"`
	Average           *bool    `json:"average,omitempty"`
	DecimalBytes      *bool    `json:"decimalBytes,omitempty"`
	Factor            *float64 `json:"factor,omitempty"`
	CurrencySymbol    string   `json:"currencySymbol,omitempty"`
	Unit              string   `json:"unit,omitempty"`
}

// Select is one aggregate of a tile.
type Select struct {
	AggFn                string   `json:"aggFn,omitempty"`
	ValueExpression      string   `json:"valueExpression,omitempty"`
	Level                *float64 `json:"level,omitempty"`
	Alias                string   `json:"alias,omitempty"`
	AggCondition         string   `json:"aggCondition,omitempty"`
	AggConditionLanguage string   `json:"aggConditionLanguage,omitempty"`
	MetricName           string   `json:"metricName,omitempty"`
	MetricType           string   `json:"metricType,omitempty"`
}
