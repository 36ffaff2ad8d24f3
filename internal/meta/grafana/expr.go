package grafana

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/overlook-dev/overlook/internal/meta"

	"github.com/prometheus/prometheus/promql/parser"
)

// Builtins are the Grafana global variables a PromQL tile resolves when it
// runs (the UI substitutes them from the tile's step and time range).
var Builtins = map[string]bool{
	"__interval": true, "__interval_ms": true, "__rate_interval": true,
	"__range": true, "__range_s": true, "__range_ms": true,
}

// refPattern matches Grafana's variable syntaxes: ${name}, ${name:format},
// [[name]], [[name:format]] and $name.
var refPattern = regexp.MustCompile(`\$\{(\w+)(?::([^}]*))?\}|\[\[(\w+)(?::(\w+))?\]\]|\$(\w+)`)

// keptFormats are ${var:format}s whose value PromQL sees as overlook's
// substitution writes it (single values raw, several as a regex).
var keptFormats = map[string]bool{"": true, "raw": true, "regex": true}

var promParser = parser.NewParser(parser.Options{})

// expr rewrites a query's variable references into overlook's form:
// constants substituted, [[x]] and ${x:format} written ${x}; $x kept. It
// returns what does not map: unknown variables, formats, and whether the
// result parses as PromQL.
func (c *converter) expr(in string) (string, []string) {
	var problems []string
	unknown := map[string]bool{}
	out := refPattern.ReplaceAllStringFunc(in, func(m string) string {
		sm := refPattern.FindStringSubmatch(m)
		name, format, braced := sm[5], "", false
		switch {
		case sm[1] != "":
			name, format, braced = sm[1], sm[2], true
		case sm[3] != "":
			name, format, braced = sm[3], sm[4], true
		}
		if v, ok := c.constants[name]; ok {
			return v
		}
		_, isVar := c.vars[name]
		if !isVar && !Builtins[name] {
			if name[0] < '0' || name[0] > '9' { // $1 is a label_replace group, not a variable
				unknown[name] = true
			}
			return m
		}
		if !keptFormats[format] {
			problems = append(problems, fmt.Sprintf("format %q of $%s is not supported: the value is substituted as a regex", format, name))
		}
		if braced {
			return "${" + name + "}"
		}
		return m
	})
	names := make([]string, 0, len(unknown))
	for n := range unknown {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		problems = append(problems, fmt.Sprintf("$%s is not a variable of the dashboard (nor a supported built-in): left as written", n))
	}
	if _, err := promParser.ParseExpr(c.sample(out)); err != nil {
		problems = append(problems, fmt.Sprintf("not valid PromQL after substituting variables: %v", err))
	}
	return out, problems
}

// sample substitutes each variable reference with a value of the right
// kind for a syntax check: a duration inside a range or subquery, else a
// name that is valid wherever a label value, metric or number may stand.
func (c *converter) sample(expr string) string {
	idx := refPattern.FindAllStringIndex(expr, -1)
	if idx == nil {
		return expr
	}
	var b strings.Builder
	last := 0
	for _, ix := range idx {
		b.WriteString(expr[last:ix[0]])
		name := refName(expr[ix[0]:ix[1]])
		before := strings.TrimRight(expr[:ix[0]], " ")
		after := strings.TrimLeft(expr[ix[1]:], " ")
		inRange := strings.HasSuffix(before, "[") || strings.HasSuffix(before, ":") ||
			strings.HasPrefix(after, "]") || strings.HasPrefix(after, ":")
		inString := strings.Count(expr[:ix[0]], `"`)%2 == 1 || strings.Count(expr[:ix[0]], "'")%2 == 1
		switch {
		case inString:
			b.WriteString("x")
		case inRange || Builtins[name] || c.vars[name].Type == "interval":
			b.WriteString("5m")
		case numeric(c.vars[name]):
			b.WriteString("1")
		default:
			b.WriteString("x")
		}
		last = ix[1]
	}
	b.WriteString(expr[last:])
	return b.String()
}

// refName is the variable name of one reference.
func refName(m string) string {
	sm := refPattern.FindStringSubmatch(m)
	for _, i := range []int{1, 3, 5} {
		if sm[i] != "" {
			return sm[i]
		}
	}
	return ""
}

// numeric: a variable whose every fixed option is a number (a quantile,
// a threshold) stands where PromQL wants a scalar.
func numeric(v meta.Variable) bool {
	if len(v.Options) == 0 {
		return false
	}
	for _, o := range v.Options {
		if _, err := strconv.ParseFloat(o.Value, 64); err != nil {
			return false
		}
	}
	return true
}
