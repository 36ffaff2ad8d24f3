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
	Where         string    `json:"where,omitempty"`
	WhereLanguage string    `json:"whereLanguage,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
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
