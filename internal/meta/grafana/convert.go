package grafana

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/meta"
)

// MaxPanels bounds the tiles one import creates (panels beyond it are
// listed as unmapped).
const MaxPanels = 500

// ErrInvalid wraps every reason a document is not a Grafana dashboard.
var ErrInvalid = errors.New("invalid Grafana dashboard")

// Unmapped is one part of the Grafana dashboard the import could not carry
// over as it was.
type Unmapped struct {
	// Panel is the panel's title; "$name" for a template variable;
	// "(dashboard)" for the dashboard itself.
	Panel string `json:"panel"`
	// PanelID is the Grafana panel id, when the panel has one.
	PanelID string `json:"panelId,omitempty"`
	Reason  string `json:"reason"`
}

// Result is a converted dashboard (not yet stored) and what did not map.
type Result struct {
	Dashboard meta.Dashboard
	Unmapped  []Unmapped
}

// converter holds the state of one conversion.
type converter struct {
	inputs    map[string]string // __inputs name → plugin id
	dsVars    map[string]string // datasource variable → plugin id
	constants map[string]string // constant/textbox variable → value
	vars      map[string]meta.Variable
	unmapped  []Unmapped
	tiles     []meta.Tile
	dropped   int
}

// Convert reads a Grafana dashboard JSON model, bare or wrapped as
// {"dashboard": {...}} (Grafana's API and "Export for sharing" shapes),
// and converts it. It fails only when the document is not a Grafana
// dashboard; everything else that does not map is in Result.Unmapped.
func Convert(raw []byte) (Result, error) {
	d, err := decode(raw)
	if err != nil {
		return Result{}, err
	}
	c := &converter{inputs: map[string]string{}, dsVars: map[string]string{},
		constants: map[string]string{}, vars: map[string]meta.Variable{}}
	for _, in := range d.Inputs {
		if in.Type == "datasource" {
			c.inputs[in.Name] = in.PluginID
		}
	}
	out := meta.Dashboard{Name: strings.TrimSpace(d.Title), Tags: append(cleanTags(d.Tags), "grafana")}
	if out.Name == "" {
		out.Name = "Imported Grafana dashboard"
	}
	if d.Time != nil && (d.Time.To == "now" || d.Time.To == "") {
		if r, ok := strings.CutPrefix(d.Time.From, "now-"); ok && isSimpleDuration(r) {
			out.TimeRange = r
		}
	}
	out.Variables = c.variables(d.Templating.List)
	if len(d.Panels) > 0 || len(d.Rows) == 0 {
		c.layoutPanels(d.Panels)
	} else {
		c.layoutRows(d.Rows)
	}
	if c.dropped > 0 {
		c.note("(dashboard)", "", fmt.Sprintf("the dashboard has more than %d panels: %d were not imported", MaxPanels, c.dropped))
	}
	if len(d.Annotations) > 0 && hasCustomAnnotations(d.Annotations) {
		c.note("(dashboard)", "", "annotations are not imported: overlook dashboards have no annotation layer")
	}
	if len(d.Links) > 0 {
		c.note("(dashboard)", "", fmt.Sprintf("%d dashboard link(s) are not imported", len(d.Links)))
	}
	out.Tiles = c.tiles
	if out.Tiles == nil {
		out.Tiles = []meta.Tile{}
	}
	return Result{Dashboard: out, Unmapped: c.unmapped}, nil
}

// decode unwraps and decodes the document.
func decode(raw []byte) (dashboard, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(raw, &probe); err != nil {
		return dashboard{}, fmt.Errorf("%w: not a JSON object: %v", ErrInvalid, err)
	}
	if inner, ok := probe["dashboard"]; ok && bytes.HasPrefix(bytes.TrimSpace(inner), []byte("{")) {
		raw = inner
		probe = nil
		if err := json.Unmarshal(raw, &probe); err != nil {
			return dashboard{}, fmt.Errorf("%w: dashboard: %v", ErrInvalid, err)
		}
	}
	_, hasPanels := probe["panels"]
	_, hasRows := probe["rows"]
	_, hasTitle := probe["title"]
	if !hasPanels && !hasRows && !hasTitle {
		return dashboard{}, fmt.Errorf("%w: the document has no title, panels or rows: "+
			"export the dashboard from Grafana (Share → Export → Save to file) and import that file", ErrInvalid)
	}
	var d dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		return dashboard{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return d, nil
}

func (c *converter) note(panel, id, reason string) {
	c.unmapped = append(c.unmapped, Unmapped{Panel: panel, PanelID: id, Reason: reason})
}

func cleanTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" && t != "grafana" {
			out = append(out, t)
		}
	}
	return out
}

// hasCustomAnnotations: Grafana adds a built-in "Annotations & Alerts"
// annotation to every dashboard; only others are worth reporting.
func hasCustomAnnotations(raw json.RawMessage) bool {
	var a struct {
		List []struct {
			BuiltIn int `json:"builtIn"`
		} `json:"list"`
	}
	if json.Unmarshal(raw, &a) != nil {
		return false
	}
	for _, x := range a.List {
		if x.BuiltIn != 1 {
			return true
		}
	}
	return false
}

// isSimpleDuration accepts Grafana's relative ranges overlook's time picker
// takes: a number and one unit of m, h, d, w.
func isSimpleDuration(s string) bool {
	if len(s) < 2 || len(s) > 6 {
		return false
	}
	for _, r := range s[:len(s)-1] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return strings.ContainsRune("mhdw", rune(s[len(s)-1]))
}
