// Package grafana converts a Grafana dashboard (its JSON model, as Grafana
// exports it) into an overlook dashboard of PromQL tiles. It is built from
// Grafana's public documentation of the dashboard JSON model; no Grafana
// code is used (Grafana is AGPL).
//
// What cannot be converted is returned as Unmapped entries, never silently
// dropped: panels of other datasources or types, transformations, repeats,
// unsupported template variables.
package grafana

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// dashboard is the part of Grafana's dashboard JSON model the importer reads.
type dashboard struct {
	Title         string          `json:"title"`
	Tags          []string        `json:"tags"`
	SchemaVersion int             `json:"schemaVersion"`
	Time          *timeRange      `json:"time"`
	Panels        []panel         `json:"panels"`
	Rows          []legacyRow     `json:"rows"`
	Templating    templating      `json:"templating"`
	Inputs        []input         `json:"__inputs"`
	Annotations   json.RawMessage `json:"annotations"`
	Links         []any           `json:"links"`
}

type timeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// input is one entry of an exported dashboard's __inputs: the datasources
// it needs, referenced as ${DS_NAME}.
type input struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	PluginID string `json:"pluginId"`
}

type templating struct {
	List []variable `json:"list"`
}

// variable is a Grafana template variable.
type variable struct {
	Name        string          `json:"name"`
	Label       string          `json:"label"`
	Type        string          `json:"type"`
	Query       json.RawMessage `json:"query"`
	Definition  string          `json:"definition"`
	Regex       string          `json:"regex"`
	Current     current         `json:"current"`
	Options     []option        `json:"options"`
	Multi       bool            `json:"multi"`
	IncludeAll  bool            `json:"includeAll"`
	AllValue    *string         `json:"allValue"`
	Datasource  json.RawMessage `json:"datasource"`
	Auto        bool            `json:"auto"`
	AutoCount   int             `json:"auto_count"`
	AutoMin     string          `json:"auto_min"`
	Hide        int             `json:"hide"`
	Description string          `json:"description"`
}

// current is a variable's selected value; text and value are a string or
// a list of strings (multi-value variables).
type current struct {
	Text  stringList `json:"text"`
	Value stringList `json:"value"`
}

type option struct {
	Text     stringList `json:"text"`
	Value    stringList `json:"value"`
	Selected bool       `json:"selected"`
}

// stringList decodes a JSON string, number, list of strings or null.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*l = nil
		return nil
	case b[0] == '[':
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		out := make([]string, 0, len(raw))
		for _, r := range raw {
			out = append(out, scalarString(r))
		}
		*l = out
		return nil
	}
	*l = []string{scalarString(b)}
	return nil
}

// scalarString renders a JSON scalar as text ("" for objects).
func scalarString(b json.RawMessage) string {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s
	}
	var f float64
	if json.Unmarshal(b, &f) == nil {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	var t bool
	if json.Unmarshal(b, &t) == nil {
		return strconv.FormatBool(t)
	}
	return ""
}

// panel is a Grafana panel (schemaVersion >= 16 layout with gridPos; rows
// are panels of type "row" whose collapsed children sit in Panels).
type panel struct {
	ID              json.RawMessage `json:"id"`
	Title           string          `json:"title"`
	Type            string          `json:"type"`
	Description     string          `json:"description"`
	GridPos         *gridPos        `json:"gridPos"`
	Span            float64         `json:"span"`
	Height          json.RawMessage `json:"height"`
	Datasource      json.RawMessage `json:"datasource"`
	Targets         []target        `json:"targets"`
	Collapsed       bool            `json:"collapsed"`
	Panels          []panel         `json:"panels"`
	Transformations []transform     `json:"transformations"`
	Repeat          string          `json:"repeat"`
	Alert           json.RawMessage `json:"alert"`
	LibraryPanel    json.RawMessage `json:"libraryPanel"`
	FieldConfig     fieldConfig     `json:"fieldConfig"`
	Options         panelOptions    `json:"options"`
	// Legacy graph panel fields.
	Stack     bool    `json:"stack"`
	Bars      bool    `json:"bars"`
	Lines     *bool   `json:"lines"`
	Format    string  `json:"format"` // singlestat unit
	YAxes     []yAxis `json:"yaxes"`
	Mode      string  `json:"mode"`      // legacy text panel: markdown, html
	Content   string  `json:"content"`   // legacy text panel
	ValueName string  `json:"valueName"` // singlestat reducer
}

type yAxis struct {
	Format string `json:"format"`
}

type gridPos struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

type transform struct {
	ID string `json:"id"`
}

type fieldConfig struct {
	Defaults struct {
		Unit     string `json:"unit"`
		Decimals *int   `json:"decimals"`
		Custom   struct {
			DrawStyle string `json:"drawStyle"`
			Stacking  struct {
				Mode string `json:"mode"`
			} `json:"stacking"`
		} `json:"custom"`
	} `json:"defaults"`
}

type panelOptions struct {
	ReduceOptions struct {
		Calcs []string `json:"calcs"`
	} `json:"reduceOptions"`
	Content string `json:"content"`
	Mode    string `json:"mode"`
}

// target is one query of a panel.
type target struct {
	RefID        string          `json:"refId"`
	Expr         *string         `json:"expr"`
	LegendFormat string          `json:"legendFormat"`
	Instant      bool            `json:"instant"`
	Range        *bool           `json:"range"`
	Format       string          `json:"format"`
	Hide         bool            `json:"hide"`
	Datasource   json.RawMessage `json:"datasource"`
	// Fields of other datasources, to name them when a target is not PromQL.
	Query    json.RawMessage `json:"query"`
	RawSQL   string          `json:"rawSql"`
	Measure  string          `json:"measurement"`
	TargetGr string          `json:"target"` // Graphite
}

// legacyRow is a row of the pre-schemaVersion-16 layout: panels with a
// 12-column span, the row's height in pixels.
type legacyRow struct {
	Title     string          `json:"title"`
	ShowTitle bool            `json:"showTitle"`
	Collapse  bool            `json:"collapse"`
	Height    json.RawMessage `json:"height"`
	Panels    []panel         `json:"panels"`
	Repeat    string          `json:"repeat"`
}

// idString renders a panel id for messages ("" when absent).
func (p panel) idString() string {
	if len(p.ID) == 0 || string(p.ID) == "null" {
		return ""
	}
	return scalarString(p.ID)
}

// pixels reads a height given as a number or a "250px" string (0 when
// unknown).
func pixels(b json.RawMessage) int {
	s := strings.TrimSuffix(strings.TrimSpace(scalarString(b)), "px")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1e6 {
		return 0
	}
	return int(f)
}
