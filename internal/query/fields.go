package query

import (
	"fmt"
	"sort"
	"strings"

	"github.com/overlook-dev/overlook/internal/schema"
)

// alias is a user-friendly field name for a column of one or both sources.
type alias struct {
	column string
	// sources restricts the alias to these source names (nil: every source).
	sources []string
	// scale: the alias is in units of scale column units (duration ms → ns).
	scale int64
	// ci: values are compared case-insensitively (level:ERROR == level:error).
	ci bool
	// enum: canonical spellings; a value equal to one of them ignoring case
	// is rewritten to it and compared with equality (status:error → 'Error').
	enum []string
	// errorish: for logs' status, the value "error" means severity ≥ ERROR.
	errorish bool
}

// aliases are matched case-insensitively, after exact column names.
var aliases = map[string][]alias{
	"service":        {{column: "ServiceName"}},
	"level":          {{column: "SeverityText", sources: []string{"logs"}, ci: true}},
	"severity":       {{column: "SeverityText", sources: []string{"logs"}, ci: true}},
	"trace_id":       {{column: "TraceId"}},
	"traceid":        {{column: "TraceId"}},
	"span_id":        {{column: "SpanId"}},
	"spanid":         {{column: "SpanId"}},
	"parent_span_id": {{column: "ParentSpanId", sources: []string{"traces"}}},
	"duration":       {{column: "Duration", sources: []string{"traces"}, scale: 1_000_000}},
	"status": {
		{column: "StatusCode", sources: []string{"traces"}, ci: true, enum: []string{"Unset", "Ok", "Error"}},
		{column: "SeverityText", sources: []string{"logs"}, ci: true, errorish: true},
	},
	"name":      {{column: "SpanName", sources: []string{"traces"}}},
	"span_name": {{column: "SpanName", sources: []string{"traces"}}},
	"kind": {{column: "SpanKind", sources: []string{"traces"}, ci: true,
		enum: []string{"Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"}}},
	"span_kind": {{column: "SpanKind", sources: []string{"traces"}, ci: true,
		enum: []string{"Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"}}},
	"body":    {{column: "Body", sources: []string{"logs"}}},
	"message": {{column: "Body", sources: []string{"logs"}}},
	"msg":     {{column: "Body", sources: []string{"logs"}}},
}

// errorishSeverities are the SeverityText values (lower case) that count as
// "error" for status:error on logs, besides SeverityNumber ≥ 17 (OTel ERROR).
var errorishSeverities = []string{"error", "err", "fatal", "critical", "crit", "alert", "emerg", "emergency", "panic"}

func lookupAlias(name string, src *schema.Source) (alias, bool) {
	for _, a := range aliases[strings.ToLower(name)] {
		if a.sources == nil {
			return a, true
		}
		for _, s := range a.sources {
			if s == src.Name {
				return a, true
			}
		}
	}
	return alias{}, false
}

// field is a resolved field reference.
type field struct {
	name  string // as written, for messages
	expr  bexpr  // bColumn, bMapValue or (map column) bColumn of kind kMap
	alias *alias
}

// resolveField binds a field name to the source. The rule, in order:
//
//  1. SQL subscript m['k']: m must be a map column → m['k'].
//  2. An exact column name (case-sensitive): that column.
//  3. An alias (case-insensitive, per source): service, level, severity,
//     status, duration (ms), trace_id, span_id, name, span_name, kind, body,
//     message — see docs/query-language.md.
//  4. A column name matched case-insensitively, if exactly one matches.
//  5. A dotted path whose first segment is a map column (exact, else
//     case-insensitive): that map, with the rest of the path (dots included)
//     as the key: SpanAttributes.http.method → SpanAttributes['http.method'].
//  6. A name that starts with an upper-case letter and is within edit
//     distance 2 (1 for names of up to 5 bytes) of a column is taken for a
//     typo: *FieldError suggesting the closest column. Likewise a dotted path
//     whose first segment is that close to a map column, or is another
//     source's "...Attributes" map (SpanAttributes on logs).
//  7. Anything else is an attribute key (HyperDX behaviour): looked up in the
//     source's map columns in order (LogAttributes/SpanAttributes, then
//     ResourceAttributes, then ScopeAttributes); the value is taken from the
//     first map that has the key, and the field exists if any map has it.
func resolveField(f *Field, src *schema.Source) (*field, error) {
	t := src.Table
	if f.Key != nil {
		c, ok := columnByName(t, f.Name)
		if !ok || c.Type != schema.Map {
			return nil, &FieldError{Field: f.Name, Pos: f.Pos, Msg: fmt.Sprintf("unknown map column %q: map columns of %s are %s",
				f.Name, src.Name, strings.Join(mapColumns(t), ", "))}
		}
		return &field{name: f.Name, expr: &bMapValue{table: t.Name, maps: []string{c.Name}, key: *f.Key}}, nil
	}
	name := f.Name
	if name == "" {
		return nil, &FieldError{Field: name, Pos: f.Pos, Msg: "empty field name"}
	}
	if c, ok := t.Column(name); ok {
		return columnField(f, name, c)
	}
	if a, ok := lookupAlias(name, src); ok {
		c, _ := t.Column(a.column)
		fl, err := columnField(f, a.column, c)
		if err != nil {
			return nil, err
		}
		fl.alias = &a
		return fl, nil
	}
	if c, ok := columnByName(t, name); ok {
		return columnField(f, c.Name, c)
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		head, key := name[:i], name[i+1:]
		if c, ok := columnByName(t, head); ok {
			switch c.Type {
			case schema.Map:
				if key == "" {
					return nil, &FieldError{Field: name, Pos: f.Pos, Msg: fmt.Sprintf("field %q: missing attribute key after %q", name, head+".")}
				}
				return &field{name: name, expr: &bMapValue{table: t.Name, maps: []string{c.Name}, key: key}}, nil
			case schema.Nested:
				return nil, &FieldError{Field: name, Pos: f.Pos, Msg: fmt.Sprintf("field %q: searching nested column %s is not supported", name, c.Name)}
			}
		}
		if isUpperASCII(head[0]) {
			s, d := closest(head, mapColumns(t))
			if d > typoDistance(head) && strings.HasSuffix(head, "Attributes") && len(src.MapColumns) > 0 {
				s, d = src.MapColumns[0], 0 // another source's map: suggest this one's
			}
			if d <= typoDistance(head) {
				return nil, &FieldError{Field: name, Pos: f.Pos, Msg: fmt.Sprintf("unknown field %q: did you mean %s.%s?", name, s, key)}
			}
		}
	} else if isUpperASCII(name[0]) {
		if s, d := closest(name, columnNames(t)); d <= typoDistance(name) {
			return nil, &FieldError{Field: name, Pos: f.Pos, Msg: fmt.Sprintf("unknown field %q: did you mean %s?", name, s)}
		}
	}
	if len(src.MapColumns) == 0 {
		return nil, &FieldError{Field: name, Pos: f.Pos, Msg: fmt.Sprintf("unknown field %q (columns of %s: %s)",
			name, src.Name, strings.Join(columnNames(t), ", "))}
	}
	return &field{name: name, expr: &bMapValue{table: t.Name, maps: src.MapColumns, key: name}}, nil
}

func columnField(f *Field, name string, c schema.Column) (*field, error) {
	if c.Type == schema.Nested || c.Type == schema.ArrayFloat64 || c.Type == schema.ArrayUInt64 {
		return nil, &FieldError{Field: f.Name, Pos: f.Pos, Msg: fmt.Sprintf("field %q: searching array/nested column %s is not supported", f.Name, name)}
	}
	if _, ok := nestedParent(name); ok {
		return nil, &FieldError{Field: f.Name, Pos: f.Pos, Msg: fmt.Sprintf("field %q: searching nested column %s is not supported", f.Name, name)}
	}
	return &field{name: f.Name, expr: &bColumn{name: name, k: kindOf(c.Type)}}, nil
}

func nestedParent(name string) (string, bool) {
	i := strings.IndexByte(name, '.')
	if i < 0 {
		return "", false
	}
	return name[:i], true
}

// typoDistance is the largest edit distance at which a name is taken for a
// misspelt column: 1 for names of up to 5 bytes, else 2.
func typoDistance(name string) int {
	if len(name) <= 5 {
		return 1
	}
	return 2
}

func isUpperASCII(c byte) bool { return c >= 'A' && c <= 'Z' }

// columnByName finds a top-level column by exact name, else by a unique
// case-insensitive match.
func columnByName(t *schema.Table, name string) (schema.Column, bool) {
	var found []schema.Column
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
		if strings.EqualFold(c.Name, name) {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return schema.Column{}, false
}

func columnNames(t *schema.Table) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Type != schema.Nested {
			out = append(out, c.Name)
		}
	}
	sort.Strings(out)
	return out
}

func mapColumns(t *schema.Table) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Type == schema.Map {
			out = append(out, c.Name)
		}
	}
	return out
}

// isSchemaIdent reports whether name is a column of the table (the renderers
// only ever write such identifiers).
func isSchemaIdent(t *schema.Table, name string) bool {
	_, ok := t.Column(name)
	return ok
}

// closest returns the candidate with the smallest case-insensitive edit
// distance to name.
func closest(name string, candidates []string) (string, int) {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
