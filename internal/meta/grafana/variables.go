package grafana

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/overlook-dev/overlook/internal/meta"
)

// MaxVariables bounds the template variables of one import.
const MaxVariables = 50

var (
	validName = regexp.MustCompile(`^\w+$`)
	// Grafana's Prometheus variable query functions.
	labelValuesFn = regexp.MustCompile(`^label_values\(\s*(?:(.*?)\s*,\s*)?([A-Za-z_][A-Za-z0-9_.]*)\s*\)$`)
	labelNamesFn  = regexp.MustCompile(`^label_names\(\s*(.*?)\s*\)$`)
	metricsFn     = regexp.MustCompile(`^metrics\(\s*(.*?)\s*\)$`)
	queryResultFn = regexp.MustCompile(`(?s)^query_result\(\s*(.*)\s*\)$`)
)

// variables converts the templating list. Constants (and textboxes) are
// substituted into queries; datasource variables resolve panels'
// datasources; query, custom and interval variables become dashboard
// variables.
func (c *converter) variables(list []variable) []meta.Variable {
	// First pass: what queries may reference (a variable may be used before
	// the one that defines it in the list).
	for _, v := range list {
		switch v.Type {
		case "constant", "textbox":
			c.constants[v.Name] = constantValue(v)
		case "datasource":
			c.dsVars[v.Name] = queryString(v.Query)
		}
	}
	var out []meta.Variable
	for _, v := range list {
		label := "$" + v.Name
		if !validName.MatchString(v.Name) {
			c.note(label, "", "the variable name is not a word (letters, digits, _): not imported")
			continue
		}
		mv, ok := c.variable(v, label)
		if !ok {
			continue
		}
		if len(out) >= MaxVariables {
			c.note(label, "", fmt.Sprintf("more than %d variables: not imported", MaxVariables))
			continue
		}
		c.vars[v.Name] = mv
		out = append(out, mv)
	}
	return out
}

// variable converts one variable; false when it is not a dashboard
// variable (substituted, resolved, or unmapped and noted).
func (c *converter) variable(v variable, label string) (meta.Variable, bool) {
	mv := meta.Variable{Name: v.Name, Label: v.Label, Multi: v.Multi, IncludeAll: v.IncludeAll, Regex: v.Regex}
	if v.AllValue != nil {
		mv.AllValue = *v.AllValue
	}
	mv.Current = currentValues(v)
	switch v.Type {
	case "constant":
		return mv, false
	case "textbox":
		c.note(label, "", fmt.Sprintf("textbox variables are not supported: replaced by its value %q", c.constants[v.Name]))
		return mv, false
	case "datasource":
		if !isPrometheus(c.dsVars[v.Name]) {
			c.note(label, "", fmt.Sprintf("datasource variable of type %q: panels that use it are not Prometheus", c.dsVars[v.Name]))
		}
		return mv, false // overlook is the one Prometheus datasource
	case "custom":
		mv.Type = "custom"
		mv.Options = customOptions(queryString(v.Query))
		return mv, true
	case "interval":
		mv.Type = "interval"
		if v.Auto {
			mv.Options = append(mv.Options, meta.VariableOption{Text: "auto", Value: "$__interval"})
		}
		for _, o := range strings.Split(queryString(v.Query), ",") {
			if o = strings.TrimSpace(o); o != "" {
				mv.Options = append(mv.Options, meta.VariableOption{Text: o, Value: o})
			}
		}
		for i, cur := range mv.Current {
			if strings.HasPrefix(cur, "$__auto_interval") {
				mv.Current[i] = "$__interval"
			}
		}
		return mv, true
	case "query":
		return c.queryVariable(v, mv, label)
	}
	c.note(label, "", fmt.Sprintf("variable type %q is not supported (overlook maps query, custom, interval, constant and datasource variables)", v.Type))
	return mv, false
}

// queryVariable maps a Prometheus query variable: label_values, label_names,
// metrics and query_result (a bare expression is a query_result).
func (c *converter) queryVariable(v variable, mv meta.Variable, label string) (meta.Variable, bool) {
	if typ, name := c.datasourceType(v.Datasource); typ != "" && !isPrometheus(typ) {
		c.note(label, "", fmt.Sprintf("the variable queries datasource type %s (%s), not Prometheus", typ, name))
		return mv, false
	}
	q := strings.TrimSpace(queryString(v.Query))
	if q == "" {
		q = strings.TrimSpace(v.Definition)
	}
	switch {
	case q == "":
		c.note(label, "", "the query variable has no query")
		return mv, false
	case labelValuesFn.MatchString(q):
		m := labelValuesFn.FindStringSubmatch(q)
		mv.Type, mv.Match, mv.LabelName = "label_values", m[1], m[2]
	case labelNamesFn.MatchString(q):
		mv.Type, mv.Match = "label_names", labelNamesFn.FindStringSubmatch(q)[1]
	case metricsFn.MatchString(q):
		re := metricsFn.FindStringSubmatch(q)[1]
		mv.Type, mv.LabelName = "label_values", "__name__"
		if re != "" {
			if mv.Regex != "" {
				c.note(label, "", fmt.Sprintf("metrics(%s) and the variable's regex both filter: only the regex is applied", re))
			} else {
				mv.Regex = re
			}
		}
	case queryResultFn.MatchString(q):
		mv.Type, mv.Query = "query_result", queryResultFn.FindStringSubmatch(q)[1]
	case strings.HasPrefix(q, "label_values(") || strings.HasPrefix(q, "label_names("):
		c.note(label, "", fmt.Sprintf("query %q is not a well-formed label_values/label_names call", q))
		return mv, false
	default:
		mv.Type, mv.Query = "query_result", q
	}
	// Grafana's regexes are JavaScript regexes (lookaheads and all): the
	// UI applies them, so they are kept as written, without the /…/.
	mv.Regex = trimSlashes(mv.Regex)
	return mv, true
}

// trimSlashes drops Grafana's /regex/ delimiters (flags are ignored).
func trimSlashes(re string) string {
	if len(re) >= 2 && re[0] == '/' {
		if i := strings.LastIndexByte(re, '/'); i > 0 {
			return re[1:i]
		}
	}
	return re
}

// queryString reads a variable's query: a string, or an object whose
// "query" is one (newer Grafana versions).
func queryString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Query
	}
	return ""
}

// currentValues is the selected value(s), "$__all" for All.
func currentValues(v variable) []string {
	var out []string
	for _, s := range v.Current.Value {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// constantValue is what a constant or textbox variable substitutes.
func constantValue(v variable) string {
	if len(v.Current.Value) > 0 && v.Current.Value[0] != "" {
		return v.Current.Value[0]
	}
	return queryString(v.Query)
}

// customOptions splits a custom variable's comma-separated values; an item
// may be "text : value". A backslash escapes a comma.
func customOptions(q string) []meta.VariableOption {
	var out []meta.VariableOption
	var cur strings.Builder
	flush := func() {
		item := strings.TrimSpace(cur.String())
		cur.Reset()
		if item == "" {
			return
		}
		text, value, ok := strings.Cut(item, " : ")
		if !ok {
			text, value = item, item
		}
		out = append(out, meta.VariableOption{Text: strings.TrimSpace(text), Value: strings.TrimSpace(value)})
	}
	for i := 0; i < len(q); i++ {
		switch {
		case q[i] == '\\' && i+1 < len(q) && q[i+1] == ',':
			cur.WriteByte(',')
			i++
		case q[i] == ',':
			flush()
		default:
			cur.WriteByte(q[i])
		}
	}
	flush()
	return out
}
