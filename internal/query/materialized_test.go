package query

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/schema"
)

// matGoldenCases render, with the default materialised columns, every way
// a query reaches an attribute: testdata/golden/mat_<name>.<dialect>.sql.
// Keys without a column (http.target, userEmail) keep the map.
var matGoldenCases = []struct {
	name string
	src  *schema.Source
	sql  bool
	in   string
}{
	{"subscript", traces, true, `SpanAttributes['app.payment.card_type'] = 'visa'`},
	{"subscript_unmaterialised", traces, true, `SpanAttributes['http.target'] = '/x'`},
	{"dotted_path", traces, false, `SpanAttributes.http.route:"/api/cart"`},
	{"resource_path", logs, false, `ResourceAttributes.k8s.pod.name:frontend-*`},
	{"bare_key", traces, false, `http.method:GET`},
	{"bare_key_resource", traces, false, `k8s.namespace.name:otel-demo`},
	{"exists_path", traces, false, `SpanAttributes.http.route:*`},
	{"exists_unmaterialised", traces, false, `SpanAttributes.rpc.system:*`},
	{"exists_bare", traces, false, `rpc.method:*`},
	{"is_null", traces, true, `SpanAttributes['db.system'] IS NULL OR SpanAttributes['rpc.service'] IS NOT NULL`},
	{"in_numeric", traces, true, `SpanAttributes['http.status_code'] IN (500, 503)`},
	{"not_bare", logs, false, `-host.name:node-1`},
}

var matChartGoldenCases = []struct {
	name string
	req  string
}{
	{"seed_max_duration_by_card", `{"source":"traces","where":"ServiceName:payment","select":[{"aggFn":"max","valueExpression":"Duration"}],
		"groupBy":"SpanAttributes['app.payment.card_type']"}`},
	{"group_by_bare_and_value", `{"source":"traces","where":"http.route:\"/api/cart\"","select":[{"aggFn":"count","valueExpression":"SpanAttributes.http.status_code",
		"where":"rpc.system:grpc"}],"groupBy":["k8s.pod.name","SpanAttributes.userEmail"]}`},
}

func matDialects() []Dialect {
	set := schema.Default()
	return []Dialect{WithMaterialized(DuckDB, set), WithMaterialized(ClickHouse, set)}
}

// checkMatSQL checks rendered SQL for identifiers: quoted materialised
// columns are allowed, then the usual identifier check applies.
func stripMatCols(s string) string {
	for _, q := range []string{`"`, "`"} {
		for {
			i := strings.Index(s, q+schema.MaterializedPrefix)
			if i < 0 {
				break
			}
			j := strings.Index(s[i+1:], q)
			s = s[:i] + "Timestamp" + s[i+1+j+1:]
		}
	}
	return s
}

func TestMaterializedGolden(t *testing.T) {
	for _, c := range matGoldenCases {
		parse := Parse
		if c.sql {
			parse = ParseSQL
		}
		n, err := parse(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, d := range matDialects() {
			where, args, err := Compile(n, c.src, d)
			if err != nil {
				t.Errorf("%s/%s: %v", c.name, d.Name(), err)
				continue
			}
			if msg := checkRendered(stripMatCols(where), args, c.src, d); msg != "" {
				t.Errorf("%s/%s: %s", c.name, d.Name(), msg)
			}
			compareGolden(t, filepath.Join("testdata", "golden", "mat_"+c.name+"."+d.Name()+".sql"),
				formatGolden(c.in, c.sql, c.src, where, args))
		}
	}
	for _, c := range matChartGoldenCases {
		var req ChartRequest
		if err := json.Unmarshal([]byte(c.req), &req); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, d := range matDialects() {
			p, err := PlanChart(&req, gStart, gDay, d)
			if err != nil {
				t.Errorf("%s/%s: %v", c.name, d.Name(), err)
				continue
			}
			qs := renderPlan(p)
			for _, q := range qs {
				q.SQL = stripMatCols(q.SQL)
				if msg := checkChartSQL(q); msg != "" {
					t.Errorf("%s/%s: %s", c.name, d.Name(), msg)
				}
			}
			compareGolden(t, filepath.Join("testdata", "golden", "mat_chart_"+c.name+"."+d.Name()+".sql"),
				formatChartGolden(c.req, qs))
		}
	}
}

// TestMaterializedValues: value discovery reads the column too.
func TestMaterializedValues(t *testing.T) {
	for _, d := range matDialects() {
		sql, _, err := CompileValue(`SpanAttributes['app.payment.card_type']`, &schema.TracesSource, d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sql, "__hdx_materialized_SpanAttributes.app.payment.card_type") || strings.Contains(sql, "SpanAttributes[") {
			t.Errorf("%s: values read %s", d.Name(), sql)
		}
		stmts, err := PlanValues("traces", "k8s.pod.name", "", gStart, gDay, 0, 0, d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stmts[0].Query.SQL, "__hdx_materialized_k8s.pod.name") {
			t.Errorf("%s: values of a bare key read %s", d.Name(), stmts[0].Query.SQL)
		}
	}
}

// TestWithMaterialized: the plain dialects read maps only; wrapping twice
// or with an empty set is harmless.
func TestWithMaterialized(t *testing.T) {
	n, _ := ParseSQL(`SpanAttributes['http.route'] = 'x'`)
	for _, d := range []Dialect{DuckDB, ClickHouse, WithMaterialized(DuckDB, nil)} {
		where, _, _ := Compile(n, traces, d)
		if strings.Contains(where, schema.MaterializedPrefix) {
			t.Errorf("%s without materialised columns: %s", d.Name(), where)
		}
	}
	d := WithMaterialized(WithMaterialized(DuckDB, schema.MaterializedSet{}), schema.Default())
	d = WithMaterialized(d, schema.MaterializedSet{schema.TracesTable: {{Map: "SpanAttributes", Key: "x"}}})
	where, _, _ := Compile(n, traces, d)
	if strings.Contains(where, schema.MaterializedPrefix) {
		t.Errorf("re-wrapping kept the old set: %s", where)
	}
	if d.Name() != "duckdb" {
		t.Errorf("name %s", d.Name())
	}
}
