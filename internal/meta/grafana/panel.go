package grafana

import (
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/meta"
)

// displayTypes maps Grafana panel types to overlook display types.
var displayTypes = map[string]string{
	"timeseries": "line",
	"graph":      "line",
	"stat":       "number",
	"singlestat": "number",
	"gauge":      "number",
	"bargauge":   "table",
	"table":      "table",
	"table-old":  "table",
}

// reducers maps Grafana's reduce calculations (and singlestat valueName)
// to a PromQL tile's Reduce.
var reducers = map[string]string{
	"lastNotNull": "last", "last": "last", "current": "last",
	"mean": "mean", "avg": "mean",
	"max": "max", "min": "min",
	"sum": "sum", "total": "sum",
}

// panelConfig converts one panel into a tile config; false when nothing of
// it maps (the reasons are noted).
func (c *converter) panelConfig(p panel) (meta.TileConfig, bool) {
	name, id := title(p), p.idString()
	if p.Type == "text" {
		content := p.Options.Content
		if content == "" {
			content = p.Content
		}
		if p.Options.Mode == "html" || p.Mode == "html" {
			c.note(name, id, "an HTML text panel is shown as plain text")
		}
		return meta.TileConfig{Name: p.Title, DisplayType: "markdown", Where: content, Select: []meta.Select{}}, true
	}
	if len(p.LibraryPanel) > 0 && string(p.LibraryPanel) != "null" && len(p.Targets) == 0 {
		c.note(name, id, "a library panel's definition is not in the dashboard JSON: "+
			"unlink it in Grafana (or export with the library panel inlined) and import again")
		return meta.TileConfig{}, false
	}
	dt, ok := displayTypes[p.Type]
	if !ok {
		c.note(name, id, fmt.Sprintf("panel type %q is not supported: overlook imports timeseries, graph, stat, "+
			"singlestat, gauge, bargauge, table and text panels", p.Type))
		return meta.TileConfig{}, false
	}
	if isBars(p) {
		dt = "stacked_bar"
	}
	cfg := meta.TileConfig{Name: p.Title, Source: meta.SourcePromQL, DisplayType: dt, Select: []meta.Select{},
		NumberFormat: numberFormat(p)}
	if dt == "number" || dt == "table" {
		cfg.Reduce = c.reduce(p, name, id)
	}
	for _, t := range p.Targets {
		if q, ok := c.target(p, t, name, id); ok {
			cfg.Queries = append(cfg.Queries, q)
		}
	}
	c.panelNotes(p, name, id)
	if len(cfg.Queries) == 0 {
		c.note(name, id, "panel not imported: it has no query that maps to PromQL")
		return meta.TileConfig{}, false
	}
	return cfg, true
}

// panelNotes lists panel features that have no overlook equivalent.
func (c *converter) panelNotes(p panel, name, id string) {
	if len(p.Transformations) > 0 {
		ids := make([]string, 0, len(p.Transformations))
		for _, t := range p.Transformations {
			ids = append(ids, t.ID)
		}
		c.note(name, id, fmt.Sprintf("transformations are not applied (%s): the tile shows the query results as they are",
			strings.Join(ids, ", ")))
	}
	if p.Repeat != "" {
		c.note(name, id, fmt.Sprintf("the panel repeats by $%s: imported once, its queries see the variable's selected value(s)", p.Repeat))
	}
	if len(p.Alert) > 0 && string(p.Alert) != "null" {
		c.note(name, id, "the panel's legacy Grafana alert is not imported: write it as a Prometheus alerting rule")
	}
}

// reduce is the tile's Reduce from the panel's first calculation.
func (c *converter) reduce(p panel, name, id string) string {
	calc := p.ValueName
	if len(p.Options.ReduceOptions.Calcs) > 0 {
		calc = p.Options.ReduceOptions.Calcs[0]
		if len(p.Options.ReduceOptions.Calcs) > 1 {
			c.note(name, id, "only the first reduce calculation ("+calc+") is shown")
		}
	}
	if calc == "" {
		return "last"
	}
	r, ok := reducers[calc]
	if !ok {
		c.note(name, id, fmt.Sprintf("reduce calculation %q is not supported: the last value is shown", calc))
		return "last"
	}
	return r
}

// target converts one query of a panel.
func (c *converter) target(p panel, t target, name, id string) (meta.PromQuery, bool) {
	ref := t.RefID
	if ref == "" {
		ref = "?"
	}
	ds := p.Datasource
	if len(t.Datasource) > 0 && string(t.Datasource) != "null" {
		ds = t.Datasource
	}
	typ, dsName := c.datasourceType(ds)
	switch {
	case typ == "mixed":
		c.note(name, id, fmt.Sprintf("query %s has the Mixed datasource and no datasource of its own", ref))
		return meta.PromQuery{}, false
	case typ != "" && !isPrometheus(typ):
		c.note(name, id, fmt.Sprintf("query %s uses datasource type %s (%s), not Prometheus", ref, typ, dsName))
		return meta.PromQuery{}, false
	}
	if t.Hide {
		c.note(name, id, fmt.Sprintf("query %s is hidden in Grafana: not imported", ref))
		return meta.PromQuery{}, false
	}
	if t.Expr == nil || strings.TrimSpace(*t.Expr) == "" {
		if t.RawSQL != "" || t.Measure != "" || t.TargetGr != "" || (len(t.Query) > 0 && string(t.Query) != "null") {
			c.note(name, id, fmt.Sprintf("query %s is not a PromQL query (datasource %s)", ref, orUnknown(dsName)))
		} else {
			c.note(name, id, fmt.Sprintf("query %s has no PromQL expression", ref))
		}
		return meta.PromQuery{}, false
	}
	expr, problems := c.expr(*t.Expr)
	for _, pr := range problems {
		c.note(name, id, fmt.Sprintf("query %s: %s", ref, pr))
	}
	if t.Format == "heatmap" {
		c.note(name, id, fmt.Sprintf("query %s: the heatmap format is not applied: the buckets are shown as series", ref))
	}
	q := meta.PromQuery{Expr: expr, Legend: t.LegendFormat}
	if q.Legend == "__auto" {
		q.Legend = ""
	}
	q.Instant = t.Instant && (t.Range == nil || !*t.Range)
	return q, true
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// isBars: a graph drawn as bars, or a time series with bar draw style.
func isBars(p panel) bool {
	switch p.Type {
	case "graph":
		return p.Bars && (p.Lines == nil || !*p.Lines)
	case "timeseries":
		return p.FieldConfig.Defaults.Custom.DrawStyle == "bars"
	}
	return false
}

// numberFormat maps the panel unit where overlook has an equivalent.
func numberFormat(p panel) *meta.NumberFormat {
	unit := p.FieldConfig.Defaults.Unit
	if unit == "" && p.Type == "singlestat" {
		unit = p.Format
	}
	if unit == "" && p.Type == "graph" && len(p.YAxes) > 0 {
		unit = p.YAxes[0].Format
	}
	var nf meta.NumberFormat
	switch unit {
	case "percentunit":
		nf.Output = "percent"
	case "bytes", "decbytes":
		nf.Output = "byte"
		if unit == "decbytes" {
			nf.DecimalBytes = ptr(true)
		}
	default:
		return nil
	}
	nf.Mantissa = p.FieldConfig.Defaults.Decimals
	return &nf
}

func ptr[T any](v T) *T { return &v }
