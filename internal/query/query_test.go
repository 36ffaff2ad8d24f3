package query

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// dump renders an AST as an S-expression for structural assertions.
func dump(n any) string {
	switch n := n.(type) {
	case nil:
		return "nil"
	case *And:
		return "(and" + dumpList(n.Terms) + ")"
	case *Or:
		return "(or" + dumpList(n.Terms) + ")"
	case *Not:
		return "(not " + dump(n.X) + ")"
	case *MatchAll:
		return "*"
	case *Search:
		f := ""
		if n.Field != nil {
			f = dump(n.Field) + " "
		}
		if n.Kind == Exists {
			return fmt.Sprintf("(exists %s)", dump(n.Field))
		}
		if n.Kind == Glob {
			return fmt.Sprintf("(%s %s%q)", n.Kind, f, n.Pieces)
		}
		return fmt.Sprintf("(%s %s%q)", n.Kind, f, n.Value)
	case *Compare:
		return fmt.Sprintf("(%s %s %s)", n.Op, dump(n.Left), dump(n.Right))
	case *Range:
		lo, hi := "[", "]"
		if !n.LoInclusive {
			lo = "{"
		}
		if !n.HiInclusive {
			hi = "}"
		}
		return fmt.Sprintf("(range %s %s%s %s%s)", dump(n.X), lo, dumpExpr(n.Lo), dumpExpr(n.Hi), hi)
	case *In:
		s := "(in "
		if n.Negated {
			s = "(notin "
		}
		s += dump(n.X)
		for _, e := range n.List {
			s += " " + dump(e)
		}
		return s + ")"
	case *Like:
		op := "like"
		if n.CaseInsensitive {
			op = "ilike"
		}
		if n.Negated {
			op = "not" + op
		}
		return fmt.Sprintf("(%s %s %s)", op, dump(n.X), dump(n.Pattern))
	case *IsNull:
		if n.Negated {
			return "(notnull " + dump(n.X) + ")"
		}
		return "(null " + dump(n.X) + ")"
	case *Truth:
		return "(truth " + dump(n.X) + ")"
	case *Field:
		if n.Key != nil {
			return fmt.Sprintf("%s[%q]", n.Name, *n.Key)
		}
		return n.Name
	case *Literal:
		if n.Kind == StringLit {
			return fmt.Sprintf("%q", n.Text)
		}
		return n.Text
	case *Call:
		s := "(" + n.Name
		for _, a := range n.Args {
			s += " " + dump(a)
		}
		if n.Type != "" {
			s += " " + n.Type
		}
		return s + ")"
	}
	return fmt.Sprintf("?%T", n)
}

func dumpList(ns []Node) string {
	s := ""
	for _, n := range ns {
		s += " " + dump(n)
	}
	return s
}

func dumpExpr(e Expr) string {
	if e == nil {
		return "*"
	}
	return dump(e)
}

func TestParseAST(t *testing.T) {
	cases := []struct{ in, want string }{
		{`foo`, `(token "foo")`},
		{`foo bar`, `(and (token "foo") (token "bar"))`},
		{`"a phrase"`, `(phrase "a phrase")`},
		{`"say \"hi\""`, `(phrase "say \"hi\"")`},
		{`a OR b AND NOT c`, `(or (token "a") (and (token "b") (not (token "c"))))`},
		{`a OR b c`, `(or (token "a") (and (token "b") (token "c")))`},
		{`(a OR b) c`, `(and (or (token "a") (token "b")) (token "c"))`},
		{`-a -b:c`, `(and (not (token "a")) (not (contains b "c")))`},
		{`NOT NOT a`, `(token "a")`},
		{`+a`, `(token "a")`},
		{`a and b or c not d`, `(and (token "a") (token "and") (token "b") (token "or") (token "c") (token "not") (token "d"))`},
		{`Field:v`, `(contains Field "v")`},
		{`Field:"v w"`, `(exact Field "v w")`},
		{`Field:*`, `(exists Field)`},
		{`*`, `*`},
		{`Field:>100`, `(> Field 100)`},
		{`Field:>=1.5`, `(>= Field 1.5)`},
		{`Field:<-3`, `(< Field -3)`},
		{`Field:<=abc`, `(<= Field "abc")`},
		{`Field:[1 TO 5]`, `(range Field [1 5])`},
		{`Field:{1 TO 5}`, `(range Field {1 5})`},
		{`Field:[1 TO 5}`, `(range Field [1 5})`},
		{`Field:[* TO 5]`, `(range Field [* 5])`},
		{`Field:[* TO *]`, `(exists Field)`},
		{`Field:pay*`, `(glob Field ["pay" ""])`},
		{`Field:*ment`, `(glob Field ["" "ment"])`},
		{`Field:p*t`, `(glob Field ["p" "t"])`},
		{`Field:p**t`, `(glob Field ["p" "t"])`},
		{`pay*`, `(glob ["pay" ""])`},
		{`Field:p\*t`, `(contains Field "p*t")`},
		{`a\:b`, `(token "a:b")`},
		{`a\ b:c`, `(contains a b "c")`},
		{`userEmail:a.b@c.com`, `(contains userEmail "a.b@c.com")`},
		{`http.target:/api/v1`, `(contains http.target "/api/v1")`},
		{`url:http://x/y`, `(contains url "http://x/y")`},
		{`SpanAttributes.app.payment.card_type:visa`, `(contains SpanAttributes.app.payment.card_type "visa")`},
		{`f:(a OR "b" c*)`, `(or (contains f "a") (and (exact f "b") (glob f ["c" ""])))`},
		{`f:(-a)`, `(not (contains f "a"))`},
		{`foo-bar`, `(token "foo-bar")`},
		{`a AND (b OR (c AND d))`, `(and (token "a") (or (token "b") (and (token "c") (token "d"))))`},
		{`  a  `, `(token "a")`},
		{"a\tb\nc", `(and (token "a") (token "b") (token "c"))`},
		{`\AND`, `(token "AND")`},
	}
	for _, c := range cases {
		n, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := dump(n); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	for _, in := range []string{"", "   ", "\t\n"} {
		if n, err := Parse(in); n != nil || err != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, nil", in, n, err)
		}
	}
}

func TestParseSQLAST(t *testing.T) {
	cases := []struct{ in, want string }{
		{`a = 1`, `(= a 1)`},
		{`a == 'x' AND b != 2 OR c <> 3`, `(or (and (= a "x") (!= b 2)) (!= c 3))`},
		{`NOT a < -1.5`, `(not (< a -1.5))`},
		{`a IN (1, 2) AND b NOT IN ('x')`, `(and (in a 1 2) (notin b "x"))`},
		{`a LIKE 'x%' OR a NOT ILIKE '%y'`, `(or (like a "x%") (notilike a "%y"))`},
		{`a IS NULL AND b IS NOT NULL`, `(and (null a) (notnull b))`},
		{`a BETWEEN 1 AND 5`, `(range a [1 5])`},
		{`a NOT BETWEEN 1 AND 5`, `(not (range a [1 5]))`},
		{`SpanAttributes['http.method'] = 'GET'`, `(= SpanAttributes["http.method"] "GET")`},
		{`lower(ServiceName) = 'x'`, `(= (lower ServiceName) "x")`},
		{`CAST(a AS Float64) > 1`, `(> (cast a FLOAT64) 1)`},
		{`try_cast(a as varchar) = '1'`, `(= (cast a STRING) "1")`},
		{`mapContains(SpanAttributes, 'k')`, `(truth (mapcontains SpanAttributes "k"))`},
		{`has(SpanAttributes, 'k') AND TRUE`, `(and (truth (mapcontains SpanAttributes "k")) (truth true))`},
		{`hasToken(Body, 'x')`, `(token Body "x")`},
		{`(a = 1 OR b = 2) AND c = 3`, `(and (or (= a 1) (= b 2)) (= c 3))`},
		{`(a) = 1`, `(= a 1)`},
		{`"Service Name" = 'x'`, `(= Service Name "x")`},
		{"`a` = 'it''s'", `(= a "it's")`},
		{`a = 'it\'s'`, `(= a "it's")`},
		{`a like 'x\_y'`, `(like a "x\\_y")`},
		{`Events.Name = 'x'`, `(= Events.Name "x")`},
	}
	for _, c := range cases {
		n, err := ParseSQL(c.in)
		if err != nil {
			t.Errorf("ParseSQL(%q): %v", c.in, err)
			continue
		}
		if got := dump(n); got != c.want {
			t.Errorf("ParseSQL(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

type errCase struct {
	sql   bool
	src   *schema.Source
	in    string
	kind  string // "syntax", "field", "type"
	pos   int
	inMsg string
}

func TestErrors(t *testing.T) {
	cases := []errCase{
		{false, logs, `foo (bar`, "syntax", 8, "unbalanced parenthesis opened at position 4"},
		{false, logs, `(a (b)`, "syntax", 6, "unbalanced parenthesis opened at position 0"},
		{false, logs, `a)`, "syntax", 1, "unexpected ')' with no matching '('"},
		{false, logs, `()`, "syntax", 0, "empty parentheses"},
		{false, logs, `service: `, "syntax", 7, "expected value after ':'"},
		{false, logs, `a AND service:`, "syntax", 13, "expected value after ':'"},
		{false, logs, `:foo`, "syntax", 0, "expected a field name before ':'"},
		{false, logs, `a AND`, "syntax", 2, "expected a term after AND"},
		{false, logs, `a OR`, "syntax", 2, "expected a term after OR"},
		{false, logs, `OR a`, "syntax", 0, "unexpected OR"},
		{false, logs, `a AND OR b`, "syntax", 6, "unexpected OR after AND"},
		{false, logs, `NOT`, "syntax", 0, "expected a term after NOT"},
		{false, logs, `a -`, "syntax", 2, "expected a term after '-'"},
		{false, logs, `"abc`, "syntax", 0, "unterminated quoted string starting at position 0"},
		{false, logs, `x:"abc`, "syntax", 2, "unterminated quoted string"},
		{false, logs, `abc\`, "syntax", 3, "dangling escape"},
		{false, logs, `f:>`, "syntax", 2, "expected value after '>'"},
		{false, logs, `f:>= 3`, "syntax", 2, "expected value after '>='"},
		{false, logs, `f:[1 5]`, "syntax", 5, "expected 'TO' in range opened at position 2"},
		{false, logs, `f:[1 TO 5`, "syntax", 9, "expected ']' or '}' to close range opened at position 2"},
		{false, logs, `f:[TO 5]`, "syntax", 3, "expected lower bound"},
		{false, logs, `f:[1 TO ]`, "syntax", 8, "expected upper bound"},
		{false, logs, `f:>a*`, "syntax", 3, "wildcards are not allowed"},
		{false, logs, `f*:x`, "syntax", 0, "wildcards are not allowed in field names"},
		{false, logs, `ServiceNme:x`, "field", 0, `unknown field "ServiceNme": did you mean ServiceName?`},
		{false, logs, `a SeverityTxt:x`, "field", 2, "did you mean SeverityText?"},
		{false, traces, `SpanAtributes.http.method:GET`, "field", 0, "did you mean SpanAttributes.http.method?"},
		{false, traces, `Events.Name:x`, "field", 0, "nested"},
		{false, traces, `SpanAttributes:x`, "field", 0, "is a map"},
		{false, traces, `Duration:abc`, "field", 0, "is numeric"},
		{false, traces, `duration:>abc`, "field", 0, "milliseconds"},
		{false, logs, `Timestamp:>yesterday`, "field", 0, "is a timestamp"},
		{false, logs, `SpanAttributes.x:1`, "field", 0, `did you mean LogAttributes.x?`},
		{true, logs, `a = 1; DROP TABLE otel_logs`, "syntax", 5, "semicolons are not allowed"},
		{true, logs, `a = 1 -- c`, "syntax", 6, "comments are not allowed"},
		{true, logs, `a = 1 /* c */`, "syntax", 6, "comments are not allowed"},
		{true, logs, `a IN (SELECT b FROM t)`, "syntax", 6, "subqueries"},
		{true, logs, `a = 1 UNION SELECT 1`, "syntax", 6, "UNION is not allowed"},
		{true, logs, `sleep(10) = 1`, "syntax", 0, "function sleep is not allowed"},
		{true, logs, `a = ?`, "syntax", 4, "placeholders are not allowed"},
		{true, logs, `a = 'x`, "syntax", 4, "unterminated string"},
		{true, logs, `(a = 1`, "syntax", 6, "unbalanced parenthesis opened at position 0"},
		{true, logs, `a = `, "syntax", 4, "expected a value"},
		{true, logs, `a NOT = 1`, "syntax", 6, "expected IN, LIKE, ILIKE or BETWEEN after NOT"},
		{true, logs, `a BETWEEN 1 OR 2`, "syntax", 12, "expected AND in BETWEEN"},
		{true, logs, `a IS 1`, "syntax", 5, "expected NULL after IS"},
		{true, logs, `CAST(a AS Map) = 1`, "syntax", 10, "type 'Map' is not allowed in CAST"},
		{true, logs, `lower(a, b) = 1`, "syntax", 0, "lower takes 1 argument(s), got 2"},
		{true, logs, `m[1] = 1`, "syntax", 2, "map key must be a string literal"},
		{true, logs, `a + 1 = 2`, "syntax", 2, "arithmetic operators are not supported"},
		{true, logs, `a = 1)`, "syntax", 5, "unexpected ')'"},
		{true, logs, `a = 1 b`, "syntax", 6, "unexpected 'b'"},
		{true, logs, `12abc = 1`, "syntax", 0, "malformed number"},
		{true, logs, `ServiceName`, "type", 0, "expected a condition"},
		{true, logs, `ServiceName = NULL`, "type", 0, "use IS NULL"},
		{true, logs, `SeverityNumber = 'abc'`, "field", 0, "is numeric"},
		{true, logs, `length(SeverityNumber) = 1`, "type", 0, "argument 1 must be a string"},
		{true, logs, `match(Body, '(') `, "type", 0, "invalid regular expression"},
		{true, logs, `mapContains(Body, 'k')`, "type", 0, "must be a map column"},
		{true, logs, `NoSuchMap['k'] = 'x'`, "field", 0, "unknown map column"},
		{true, logs, `LogAttributes = 'x'`, "type", 0, "a map cannot be compared"},
	}
	for _, c := range cases {
		parse := Parse
		if c.sql {
			parse = ParseSQL
		}
		n, err := parse(c.in)
		if err == nil {
			_, _, err = Compile(n, c.src, DuckDB)
		}
		if err == nil {
			t.Errorf("%q: no error, want %s error %q", c.in, c.kind, c.inMsg)
			continue
		}
		var pos int
		var kind string
		var se *SyntaxError
		var fe *FieldError
		var te *TypeError
		switch {
		case errors.As(err, &se):
			kind, pos = "syntax", se.Pos
			if !strings.HasPrefix(se.Error(), fmt.Sprintf("at position %d: ", se.Pos)) {
				t.Errorf("%q: Error() = %q lacks the position prefix", c.in, se.Error())
			}
		case errors.As(err, &fe):
			kind, pos = "field", fe.Pos
			if fe.Field == "" {
				t.Errorf("%q: FieldError without Field", c.in)
			}
		case errors.As(err, &te):
			kind, pos = "type", te.Pos
		default:
			t.Errorf("%q: unexpected error type %T: %v", c.in, err, err)
			continue
		}
		if kind != c.kind || pos != c.pos || !strings.Contains(err.Error(), c.inMsg) {
			t.Errorf("%q: got %s error at %d %q; want %s at %d containing %q", c.in, kind, pos, err, c.kind, c.pos, c.inMsg)
		}
	}
}

// TestFieldResolution checks the resolution rule on both sources.
func TestFieldResolution(t *testing.T) {
	cases := []struct {
		src  *schema.Source
		name string
		want string // rendered DuckDB expression for `name:*`
	}{
		{logs, "ServiceName", "(ServiceName IS NOT NULL AND ServiceName <> '')"},
		{logs, "service", "(ServiceName IS NOT NULL AND ServiceName <> '')"},
		{logs, "SERVICE", "(ServiceName IS NOT NULL AND ServiceName <> '')"},
		{logs, "serviceNAME", "(ServiceName IS NOT NULL AND ServiceName <> '')"},
		{logs, "level", "(SeverityText IS NOT NULL AND SeverityText <> '')"},
		{logs, "body", "(Body IS NOT NULL AND Body <> '')"},
		{logs, "SeverityNumber", "SeverityNumber IS NOT NULL"},
		{logs, "LogAttributes", "cardinality(LogAttributes) > 0"},
		{logs, "LogAttributes.a.b", "map_contains(LogAttributes, ?)"},
		{logs, "Foo", "(map_contains(LogAttributes, ?) OR map_contains(ResourceAttributes, ?) OR map_contains(ScopeAttributes, ?))"},
		{logs, "name", "(map_contains(LogAttributes, ?) OR map_contains(ResourceAttributes, ?) OR map_contains(ScopeAttributes, ?))"},
		{traces, "name", "(SpanName IS NOT NULL AND SpanName <> '')"},
		{traces, "duration", "Duration IS NOT NULL"},
		{traces, "level", "(map_contains(SpanAttributes, ?) OR map_contains(ResourceAttributes, ?) OR map_contains(ScopeAttributes, ?))"},
		{traces, "Span", "(map_contains(SpanAttributes, ?) OR map_contains(ResourceAttributes, ?) OR map_contains(ScopeAttributes, ?))"},
	}
	for _, c := range cases {
		n := &Search{Field: &Field{Name: c.name}, Kind: Exists}
		got, _, err := Compile(n, c.src, DuckDB)
		if err != nil {
			t.Errorf("%s %s: %v", c.src.Name, c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s %s:* = %s, want %s", c.src.Name, c.name, got, c.want)
		}
	}
	if w, a, err := Compile(nil, logs, ClickHouse); w != "TRUE" || a != nil || err != nil {
		t.Errorf("Compile(nil) = %q, %v, %v", w, a, err)
	}
}

// goldenCases cover every construct; each renders to
// testdata/golden/<name>.<dialect>.sql.
var goldenCases = []struct {
	name string
	src  *schema.Source
	sql  bool
	in   string
}{
	{"empty", logs, false, ``},
	{"match_all", logs, false, `*`},
	{"bare_word", logs, false, `error`},
	{"bare_word_separators", logs, false, `api/v1.users`},
	{"bare_words_implicit_and", logs, false, `payment failed`},
	{"phrase", logs, false, `"card declined"`},
	{"bare_prefix", logs, false, `pay*`},
	{"bare_suffix", logs, false, `*ment`},
	{"bare_infix", logs, false, `p*t`},
	{"and_or_not", logs, false, `a OR b AND NOT c`},
	{"minus", logs, false, `-a -service:x`},
	{"parens", logs, false, `(a OR b) c`},
	{"field_contains", logs, false, `ServiceName:check_out%`},
	{"field_exact", logs, false, `ServiceName:"checkout"`},
	{"field_exists_column", logs, false, `TraceId:*`},
	{"field_exists_map", traces, false, `SpanAttributes.http.method:*`},
	{"field_exists_attr", traces, false, `http.method:*`},
	{"field_prefix", logs, false, `LogAttributes.userEmail:Braulio*`},
	{"field_suffix", logs, false, `userEmail:*@example.com`},
	{"field_infix", logs, false, `userEmail:a*e`},
	{"field_group", logs, false, `level:(error OR warn)`},
	{"compare_gt_numeric_attr", traces, false, `http.status_code:>499`},
	{"compare_le_column", logs, false, `SeverityNumber:<=9`},
	{"compare_float_int_column", logs, false, `SeverityNumber:>16.5`},
	{"compare_string", logs, false, `ServiceName:>m`},
	{"range_inclusive", traces, false, `SpanAttributes.http.status_code:[200 TO 299]`},
	{"range_exclusive", logs, false, `SeverityNumber:{1 TO 5}`},
	{"range_open", logs, false, `SeverityNumber:[17 TO *]`},
	{"timestamp_range", logs, false, `Timestamp:[2024-01-01 TO 2024-01-02T12:00:00Z}`},
	{"dotted_map_path", traces, false, `SpanAttributes.app.payment.card_type:visa`},
	{"resource_path", traces, false, `ResourceAttributes.k8s.pod.name:x`},
	{"attribute_fallback", traces, false, `http.method:GET`},
	{"alias_service", logs, false, `service:checkout`},
	{"alias_level_exact", logs, false, `level:"ERROR"`},
	{"alias_trace_span_id", logs, false, `trace_id:abc span_id:def`},
	{"alias_duration", traces, false, `duration:>100`},
	{"alias_duration_range", traces, false, `duration:[1.5 TO 2000]`},
	{"duration_unit", traces, false, `Duration:>200ms`},
	{"duration_unit_range", traces, false, `Duration:[100ms TO 1s]`},
	{"duration_unit_sql", traces, true, `Duration > 200ms AND Duration < '1.5s'`},
	{"alias_status_traces", traces, false, `status:error`},
	{"alias_status_logs", logs, false, `status:error`},
	{"alias_kind", traces, false, `kind:SERVER`},
	{"alias_name", traces, false, `name:"GET /api"`},
	{"alias_body", logs, false, `body:timeout message:"x"`},
	{"negated_attribute", logs, false, `-userEmail:x`},
	{"escapes", logs, false, `with\ space:a\*b\:c`},
	{"quoted_escape", logs, false, `Body:"say \"hi\""`},
	{"sql_compare", logs, true, `ServiceName = 'x' AND SeverityNumber >= 17`},
	{"sql_or_not", logs, true, `NOT (ServiceName != 'a' OR ServiceName <> 'b')`},
	{"sql_in", logs, true, `ServiceName IN ('a', 'b') AND SeverityText NOT IN ('x')`},
	{"sql_like", logs, true, `Body LIKE 'a%' OR Body ILIKE '%b' OR Body NOT LIKE 'c_'`},
	{"sql_is_null", logs, true, `TraceId IS NULL OR LogAttributes['k'] IS NOT NULL`},
	{"sql_between", traces, true, `Duration BETWEEN 1000 AND 2000`},
	{"sql_map_access", traces, true, `SpanAttributes['http.method'] = 'GET'`},
	{"sql_map_numeric", traces, true, `SpanAttributes['http.status_code'] >= 500`},
	{"sql_functions", logs, true, `lower(ServiceName) = 'x' AND length(Body) > 3 AND upper(SeverityText) = 'E'`},
	{"sql_casts", logs, true, `toString(SeverityNumber) = '1' AND CAST(LogAttributes['n'] AS Int64) > 1 AND toFloat64OrNull(LogAttributes['f']) < 2.5`},
	{"sql_map_contains", logs, true, `mapContains(LogAttributes, 'k') OR has(ResourceAttributes, 'r')`},
	{"sql_string_funcs", logs, true, `startsWith(Body, 'a') AND endsWith(Body, 'z') AND match(Body, '^x+$')`},
	{"sql_has_token", logs, true, `hasTokenCaseInsensitive(Body, 'timeout')`},
	{"sql_duration_alias", traces, true, `duration > 100`},
}

// formatGolden is the content of a golden file.
func formatGolden(in string, sqlMode bool, src *schema.Source, where string, args []any) string {
	mode := "search"
	if sqlMode {
		mode = "sql"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "-- %s on %s: %s\n%s\n-- args:\n", mode, src.Name, in, where)
	for _, a := range args {
		fmt.Fprintf(&b, "%T %#v\n", a, a)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range goldenCases {
		if seen[c.name] {
			t.Fatalf("duplicate golden case %s", c.name)
		}
		seen[c.name] = true
		parse := Parse
		if c.sql {
			parse = ParseSQL
		}
		n, err := parse(c.in)
		if err != nil {
			t.Errorf("%s: parse %q: %v", c.name, c.in, err)
			continue
		}
		for _, d := range []Dialect{DuckDB, ClickHouse} {
			where, args, err := Compile(n, c.src, d)
			if err != nil {
				t.Errorf("%s/%s: compile: %v", c.name, d.Name(), err)
				continue
			}
			if msg := checkRendered(where, args, c.src, d); msg != "" {
				t.Errorf("%s/%s: %s", c.name, d.Name(), msg)
			}
			got := formatGolden(c.in, c.sql, c.src, where, args)
			path := filepath.Join("testdata", "golden", c.name+"."+d.Name()+".sql")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("%s: %v (run go test ./internal/query -update)", path, err)
				continue
			}
			if got != string(want) {
				t.Errorf("%s: rendered\n%s\nwant\n%s", path, got, want)
			}
		}
	}
}

// sqlTokenRE splits rendered SQL into the pieces checkRendered allows.
var sqlTokenRE = regexp.MustCompile(`^(?:\s+|\?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?|'\\'|''|1000000\.0|0|<=|>=|!=|[(),=<>\[\]/])`)

// sqlWords are the keywords and functions the renderers may write.
var sqlWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`AND OR NOT IN LIKE ILIKE ESCAPE IS NULL TRUE FALSE CAST TRY_CAST AS
		DOUBLE VARCHAR BIGINT UBIGINT BOOLEAN coalesce ifNull false map_extract_value map_contains
		cardinality contains lower upper length regexp_matches regexp_full_match starts_with ends_with multiIf mapContains
		notEmpty hasTokenCaseInsensitive match lengthUTF8 toString toFloat64OrNull toFloat64
		toInt64OrNull toInt64 toUInt64OrNull toUInt64 toBool startsWith endsWith`) {
		sqlWords[w] = true
	}
}

// checkRendered asserts the SQL holds nothing but schema identifiers, known
// keywords/functions, operators, placeholders and fixed constants, and that
// there is one argument per placeholder. It returns "" when fine.
func checkRendered(where string, args []any, src *schema.Source, d Dialect) string {
	rest := where
	for rest != "" {
		m := sqlTokenRE.FindString(rest)
		if m == "" {
			return fmt.Sprintf("unexpected text %q in %s", rest, where)
		}
		if c := m[0]; c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			if !sqlWords[m] && !isSchemaIdent(src.Table, m) {
				return fmt.Sprintf("identifier %q is neither a schema column nor a known keyword in %s", m, where)
			}
		}
		rest = rest[len(m):]
	}
	if n := strings.Count(where, "?"); n != len(args) {
		return fmt.Sprintf("%d placeholders but %d args in %s", n, len(args), where)
	}
	return ""
}
