package meta

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Import and export formats.
const (
	FormatHyperDX  = "hyperdx"
	FormatOverlook = "overlook"
)

// hyperdxVersion is the version HyperDX writes into dashboard exports.
const hyperdxVersion = "0.1.0"

// ErrInvalidImport wraps every problem with an imported document.
var ErrInvalidImport = errors.New("invalid dashboard import")

// overlookExport is our own export: the dashboard as stored, tagged.
type overlookExport struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	Dashboard Dashboard `json:"dashboard"`
}

// hyperdxDashboard is HyperDX's dashboard export ("Export Dashboard" /
// "Import Dashboard"): tiles whose config.source is a source *name*.
type hyperdxDashboard struct {
	Version string          `json:"version,omitempty"`
	Name    string          `json:"name"`
	Tags    []string        `json:"tags"`
	Tiles   []hyperdxTile   `json:"tiles"`
	Filters json.RawMessage `json:"filters,omitempty"`
}

type hyperdxTile struct {
	ID     string        `json:"id"`
	X      int           `json:"x"`
	Y      int           `json:"y"`
	W      int           `json:"w"`
	H      int           `json:"h"`
	Config hyperdxConfig `json:"config"`
}

type hyperdxConfig struct {
	Name          string          `json:"name"`
	Source        string          `json:"source"`
	DisplayType   string          `json:"displayType,omitempty"`
	Select        json.RawMessage `json:"select"`
	Where         string          `json:"where"`
	WhereLanguage string          `json:"whereLanguage,omitempty"`
	GroupBy       json.RawMessage `json:"groupBy,omitempty"`
	Granularity   string          `json:"granularity,omitempty"`
	// SeriesReturnType is "column" or "ratio" (select[0] / select[1]).
	SeriesReturnType string        `json:"seriesReturnType,omitempty"`
	NumberFormat     *NumberFormat `json:"numberFormat,omitempty"`
}

// SourceByName maps a HyperDX source name ("Logs", "Traces", "Metrics",
// "Demo_Logs", "otel_traces", ...) to overlook's source.
func SourceByName(name string) (string, bool) {
	n := strings.ToLower(name)
	switch {
	case n == SourcePromQL:
		return SourcePromQL, true
	case strings.Contains(n, "metric"):
		return "metrics", true
	case strings.Contains(n, "trace") || strings.Contains(n, "span"):
		return "traces", true
	case strings.Contains(n, "log"):
		return "logs", true
	}
	return "", false
}

// sourceName is the HyperDX source name written on export.
func sourceName(source string) string {
	switch source {
	case "logs":
		return "Logs"
	case "traces":
		return "Traces"
	case "metrics":
		return "Metrics"
	}
	return source
}

// ParseImport reads a dashboard exported by HyperDX or by overlook (either
// our tagged export or a bare dashboard). Sources are remapped by name.
func ParseImport(raw []byte) (Dashboard, error) {
	var probe struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return Dashboard{}, fmt.Errorf("%w: not a JSON object: %v", ErrInvalidImport, err)
	}
	if probe.Format == FormatOverlook {
		var e overlookExport
		if err := json.Unmarshal(raw, &e); err != nil {
			return Dashboard{}, fmt.Errorf("%w: %v", ErrInvalidImport, err)
		}
		return checkImported(e.Dashboard)
	}
	var h hyperdxDashboard
	if err := json.Unmarshal(raw, &h); err != nil {
		return Dashboard{}, fmt.Errorf("%w: not a HyperDX or overlook dashboard: %v", ErrInvalidImport, err)
	}
	d := Dashboard{Name: h.Name, Tags: h.Tags}
	for i, t := range h.Tiles {
		cfg, err := fromHyperDX(t.Config)
		if err != nil {
			return Dashboard{}, fmt.Errorf("%w: tiles[%d] (%q): %v", ErrInvalidImport, i, t.Config.Name, err)
		}
		d.Tiles = append(d.Tiles, Tile{ID: t.ID, X: t.X, Y: t.Y, W: t.W, H: t.H, Config: cfg})
	}
	return checkImported(d)
}

func checkImported(d Dashboard) (Dashboard, error) {
	if strings.TrimSpace(d.Name) == "" {
		return Dashboard{}, fmt.Errorf("%w: the dashboard has no name", ErrInvalidImport)
	}
	for i := range d.Tiles {
		src, ok := SourceByName(d.Tiles[i].Config.Source)
		if !ok && !isTextTile(d.Tiles[i].Config.DisplayType) {
			return Dashboard{}, fmt.Errorf("%w: tiles[%d] (%q): unknown source %q: name it Logs, Traces or Metrics",
				ErrInvalidImport, i, d.Tiles[i].Config.Name, d.Tiles[i].Config.Source)
		}
		d.Tiles[i].Config.Source = src
		if d.Tiles[i].W <= 0 {
			d.Tiles[i].W = 12
		}
		if d.Tiles[i].H <= 0 {
			d.Tiles[i].H = 8
		}
	}
	return d, nil
}

func isTextTile(displayType string) bool { return displayType == "markdown" }

func fromHyperDX(c hyperdxConfig) (TileConfig, error) {
	cfg := TileConfig{Name: c.Name, Source: c.Source, DisplayType: c.DisplayType, Where: c.Where,
		WhereLanguage: c.WhereLanguage, Granularity: c.Granularity, NumberFormat: c.NumberFormat}
	if c.SeriesReturnType != "column" {
		cfg.SeriesReturnType = c.SeriesReturnType
	}
	if len(c.Select) > 0 && string(c.Select) != "null" {
		var sql string
		if json.Unmarshal(c.Select, &sql) == nil {
			// A raw SQL select list: keep each item as a value expression.
			for _, item := range splitList(sql) {
				cfg.Select = append(cfg.Select, Select{AggFn: "any", ValueExpression: item})
			}
		} else if err := json.Unmarshal(c.Select, &cfg.Select); err != nil {
			return cfg, fmt.Errorf("select: %v", err)
		}
	}
	if len(c.GroupBy) > 0 && string(c.GroupBy) != "null" {
		var s string
		if json.Unmarshal(c.GroupBy, &s) == nil {
			cfg.GroupBy = splitList(s)
		} else if err := json.Unmarshal(c.GroupBy, &cfg.GroupBy); err != nil {
			return cfg, fmt.Errorf("groupBy: %v", err)
		}
	}
	return cfg, nil
}

// splitList splits a comma-separated expression list at top-level commas
// (not inside brackets, parentheses or quotes).
func splitList(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '\'' || ch == '"' || ch == '`':
			quote = ch
		case ch == '(' || ch == '[':
			depth++
		case ch == ')' || ch == ']':
			depth--
		case ch == ',' && depth == 0:
			out = appendTrimmed(out, s[start:i])
			start = i + 1
		}
	}
	return appendTrimmed(out, s[start:])
}

func appendTrimmed(out []string, s string) []string {
	if s = strings.TrimSpace(s); s != "" {
		out = append(out, s)
	}
	return out
}

// Export renders d in the given format ("hyperdx" or "overlook").
func Export(d Dashboard, format string) (any, error) {
	switch format {
	case "", FormatOverlook:
		return overlookExport{Format: FormatOverlook, Version: 1, Dashboard: d}, nil
	case FormatHyperDX:
		h := hyperdxDashboard{Version: hyperdxVersion, Name: d.Name, Tags: d.Tags, Filters: json.RawMessage("[]")}
		for _, t := range d.Tiles {
			sel, _ := json.Marshal(t.Config.Select)
			group, _ := json.Marshal(strings.Join(t.Config.GroupBy, ", "))
			h.Tiles = append(h.Tiles, hyperdxTile{ID: t.ID, X: t.X, Y: t.Y, W: t.W, H: t.H, Config: hyperdxConfig{
				Name: t.Config.Name, Source: sourceName(t.Config.Source), DisplayType: t.Config.DisplayType,
				Select: sel, Where: t.Config.Where, WhereLanguage: orDefault(t.Config.WhereLanguage, "lucene"),
				GroupBy: group, Granularity: orDefault(t.Config.Granularity, "auto"),
				SeriesReturnType: orDefault(t.Config.SeriesReturnType, "column"), NumberFormat: t.Config.NumberFormat,
			}})
		}
		if h.Tiles == nil {
			h.Tiles = []hyperdxTile{}
		}
		return h, nil
	}
	return nil, fmt.Errorf("unknown export format %q: use format=hyperdx or format=overlook", format)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
