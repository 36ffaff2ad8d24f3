package query

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

var (
	gStart = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	gHour  = gStart.Add(time.Hour)
	gDay   = gStart.Add(24 * time.Hour)
)

// chartGoldenCases cover every aggFn, groupBy form, granularity, the
// rank ("other" in SQL) path, heatmaps and every metric type; each renders
// every statement of the plan to testdata/golden/chart_<name>.<dialect>.sql.
var chartGoldenCases = []struct {
	name string
	end  time.Time
	req  string
}{
	{"count_auto", gHour, `{"source":"logs","select":[{"aggFn":"count"}]}`},
	{"count_where_lucene", gHour, `{"source":"logs","where":"level:error service:payment","select":[{"aggFn":"count"}],"granularity":"1 minute"}`},
	{"count_where_sql", gHour, `{"source":"logs","whereLanguage":"sql","where":"SeverityNumber >= 17","select":[{"aggFn":"count"}],"granularity":"5 minute"}`},
	{"count_value", gHour, `{"source":"logs","select":[{"aggFn":"count","valueExpression":"LogAttributes['userEmail']"}],"displayType":"number"}`},
	{"granularity_1_day", gStart.Add(30 * 24 * time.Hour), `{"source":"traces","select":[{"aggFn":"count"}],"granularity":"1 day"}`},
	{"mergeable_aggs", gDay, `{"source":"traces","displayType":"table","select":[
		{"aggFn":"sum","valueExpression":"Duration"},{"aggFn":"avg","valueExpression":"Duration"},
		{"aggFn":"min","valueExpression":"Duration"},{"aggFn":"max","valueExpression":"Duration"},
		{"aggFn":"any","valueExpression":"Duration"},{"aggFn":"last_value","valueExpression":"Duration"}]}`},
	{"quantile_number", gDay, `{"source":"traces","displayType":"number","select":[{"aggFn":"quantile","level":0.95,"valueExpression":"Duration"}]}`},
	{"p99_shorthand", gDay, `{"source":"traces","displayType":"number","select":[{"aggFn":"p99","valueExpression":"duration"}]}`},
	{"count_distinct", gDay, `{"source":"logs","displayType":"number","select":[{"aggFn":"count_distinct","valueExpression":"TraceId"}]}`},
	{"value_function", gHour, `{"source":"logs","select":[{"aggFn":"avg","valueExpression":"toFloat64(LogAttributes['latency'])"}]}`},
	{"value_map_string", gHour, `{"source":"traces","select":[{"aggFn":"max","valueExpression":"SpanAttributes['http.status_code']"}]}`},
	{"seed_max_duration_by_card", gDay, `{"source":"traces","where":"ServiceName:payment","select":[{"aggFn":"max","valueExpression":"Duration"}],
		"groupBy":"SpanAttributes['app.payment.card_type']"}`},
	{"group_by_list_string", gHour, `{"source":"traces","select":[{"aggFn":"count"}],"groupBy":"ServiceName, SpanAttributes.http.method"}`},
	{"group_by_attribute_fallback", gHour, `{"source":"logs","select":[{"aggFn":"count"}],"groupBy":["service","k8s.pod.name"]}`},
	{"per_select_where", gHour, `{"source":"traces","select":[
		{"aggFn":"count","where":"status:error","alias":"errors"},
		{"aggFn":"count","aggCondition":"StatusCode != 'Error'","aggConditionLanguage":"sql","alias":"ok"}]}`},
	{"rank_quantile_by_service", gDay, `{"source":"traces","limit":2,"select":[{"aggFn":"quantile","level":0.5,"valueExpression":"Duration"}],
		"groupBy":["ServiceName"]}`},
	{"rank_count_distinct_two_groups", gDay, `{"source":"logs","limit":2,"displayType":"table","select":[{"aggFn":"count_distinct","valueExpression":"TraceId"},{"aggFn":"count"}],
		"groupBy":["ServiceName","SeverityText"]}`},
	{"heatmap_log", gHour, `{"source":"traces","displayType":"heatmap","select":[{"aggFn":"count","valueExpression":"Duration"}],"where":"service:payment"}`},
	{"heatmap_linear_fixed", gHour, `{"source":"logs","displayType":"heatmap","heatmap":{"bins":10,"scale":"linear","min":0,"max":2000},
		"select":[{"aggFn":"count","valueExpression":"LogAttributes['latency']","where":"level:info"}]}`},
	{"metrics_gauge_max_seed", gDay, `{"source":"metrics","where":"ServiceName:payment","select":[{"aggFn":"max","metricName":"visa_validation_cache.size","metricType":"gauge"}]}`},
	{"metrics_gauge_by_attribute", gHour, `{"source":"metrics","metricName":"k8s.pod.memory.usage","metricType":"gauge","select":[
		{"aggFn":"avg"},{"aggFn":"last_value"},{"aggFn":"quantile","level":0.9}],"groupBy":"ResourceAttributes['k8s.pod.name']"}`},
	{"metrics_sum_rate", gHour, `{"source":"metrics","select":[{"aggFn":"rate","metricName":"http.server.requests","metricType":"sum"}],"where":"service:frontend"}`},
	{"metrics_sum_increase_by_attr", gHour, `{"source":"metrics","select":[{"aggFn":"increase","metricName":"http.server.requests","metricType":"sum",
		"where":"Attributes['http.status_code'] >= '500'","whereLanguage":"sql"}],"groupBy":"Attributes['http.route']"}`},
	{"metrics_sum_raw_max", gHour, `{"source":"metrics","select":[{"aggFn":"max","metricName":"queue.depth","metricType":"sum"}]}`},
	{"metrics_histogram_quantile", gHour, `{"source":"metrics","select":[{"aggFn":"quantile","level":0.95,"metricName":"http.server.duration","metricType":"histogram"}],
		"groupBy":"ServiceName"}`},
	{"ratio_error_rate_by_service", gHour, `{"source":"traces","seriesReturnType":"ratio","where":"SpanKind:Server","groupBy":"ServiceName","select":[
		{"aggFn":"count","aggCondition":"StatusCode:Error","alias":"errors"},{"aggFn":"count","alias":"requests"}]}`},
	{"ratio_logs_number", gDay, `{"source":"logs","seriesReturnType":"ratio","displayType":"number","select":[
		{"aggFn":"count","where":"SeverityNumber >= 17","whereLanguage":"sql"},{"aggFn":"count"}]}`},
	{"ratio_rank_quantiles_table", gDay, `{"source":"traces","seriesReturnType":"ratio","displayType":"table","limit":2,"groupBy":["ServiceName"],"select":[
		{"aggFn":"p99","valueExpression":"Duration"},{"aggFn":"p50","valueExpression":"Duration"}]}`},
	{"ratio_metrics_counters", gHour, `{"source":"metrics","seriesReturnType":"ratio","granularity":"1 minute","select":[
		{"aggFn":"increase","metricName":"http.server.errors","metricType":"sum"},{"aggFn":"increase","metricName":"http.server.requests","metricType":"sum"}]}`},
	{"metrics_two_metrics", gHour, `{"source":"metrics","select":[{"aggFn":"max","metricName":"a","metricType":"gauge"},{"aggFn":"rate","metricName":"b","metricType":"sum"}]}`},
}

// renderPlan renders every statement a plan can issue: the ranking query,
// each unit's main query (with a sample top-2 when ranked), the heatmap's
// range and bins queries.
func renderPlan(p *ChartPlan) []ChartQuery {
	var out []ChartQuery
	if p.spec.display == DisplayHeatmap {
		return append(out, p.heatRangeQuery(), p.heatBinsQuery(1e6, 1e9))
	}
	var top [][]string
	if p.rank {
		out = append(out, p.rankQuery())
		for i := range 2 {
			key := make([]string, len(p.spec.groups))
			for g := range key {
				key[g] = fmt.Sprintf("top%d.%d", i, g)
			}
			top = append(top, key)
		}
	}
	for _, u := range p.units {
		out = append(out, p.mainQuery(u, top))
	}
	return out
}

func formatArg(a any) string {
	if t, ok := a.(time.Time); ok {
		return "time.Time " + t.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%T %#v", a, a)
}

func formatChartGolden(req string, qs []ChartQuery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "-- chart: %s\n", strings.Join(strings.Fields(req), " "))
	for i, q := range qs {
		fmt.Fprintf(&b, "-- statement %d, columns %v\n%s\n-- args:\n", i+1, q.Columns, q.SQL)
		for _, a := range q.Args {
			b.WriteString(formatArg(a) + "\n")
		}
	}
	return b.String()
}

func TestChartGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range chartGoldenCases {
		if seen[c.name] {
			t.Fatalf("duplicate golden case %s", c.name)
		}
		seen[c.name] = true
		var req ChartRequest
		if err := json.Unmarshal([]byte(c.req), &req); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, d := range []Dialect{DuckDB, ClickHouse} {
			p, err := PlanChart(&req, gStart, c.end, d)
			if err != nil {
				t.Errorf("%s/%s: %v", c.name, d.Name(), err)
				continue
			}
			qs := renderPlan(p)
			for _, q := range qs {
				if msg := checkChartSQL(q); msg != "" {
					t.Errorf("%s/%s: %s", c.name, d.Name(), msg)
				}
			}
			got := formatChartGolden(c.req, qs)
			if p.spec.ratio {
				// The statements are the two selects'; the division is in Go.
				got = "-- series: select[0] / select[1] per bucket and group, divided after the statements below (chart_ratio.go)\n" + got
			}
			compareGolden(t, filepath.Join("testdata", "golden", "chart_"+c.name+"."+d.Name()+".sql"), got)
		}
	}
}

// valuesGoldenCases cover value discovery per source.
var valuesGoldenCases = []struct{ name, source, field, prefix string }{
	{"traces_map_key", "traces", "SpanAttributes['app.payment.card_type']", ""},
	{"logs_alias_prefix", "logs", "service", "pay"},
	{"metrics_metric_name", "metrics", "MetricName", "cache"},
}

func TestValuesGolden(t *testing.T) {
	for _, c := range valuesGoldenCases {
		for _, d := range []Dialect{DuckDB, ClickHouse} {
			stmts, err := PlanValues(c.source, c.field, c.prefix, gStart, gHour, 0, 0, d)
			if err != nil {
				t.Errorf("%s/%s: %v", c.name, d.Name(), err)
				continue
			}
			var qs []ChartQuery
			for _, s := range stmts {
				if msg := checkChartSQL(s.Query); msg != "" {
					t.Errorf("%s/%s: %s", c.name, d.Name(), msg)
				}
				qs = append(qs, s.Query)
			}
			got := formatChartGolden(fmt.Sprintf("values source=%s field=%s prefix=%s", c.source, c.field, c.prefix), qs)
			compareGolden(t, filepath.Join("testdata", "golden", "values_"+c.name+"."+d.Name()+".sql"), got)
		}
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: %v (run go test ./internal/query -update)", path, err)
		return
	}
	if got != string(want) {
		t.Errorf("%s: rendered\n%s\nwant\n%s", path, got, want)
	}
}

// chartTokenRE splits chart SQL into the pieces checkChartSQL allows:
// whitespace, placeholders, identifiers (dotted for nested columns),
// the literals ” and '\', the small integers 0, 1 and 2, 1000000.0 (the
// duration alias), operators and punctuation.
var chartTokenRE = regexp.MustCompile(`^(?:\s+|\?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?|'\\'|''|1000000\.0|[012]\b|//|->|<=|>=|!=|<>|[(),=<>\[\]/*:+-])`)

// chartWords are the SQL keywords and functions chart statements may use
// besides those of filters (sqlWords).
var chartWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`SELECT FROM WHERE GROUP BY ORDER LIMIT AS CASE WHEN THEN ELSE END OVER WINDOW
		PARTITION DESC NULLS LAST DISTINCT FILTER count sum min max avg any_value arg_max quantile_cont epoch_ns lag
		list_transform list_zip lambda len ln floor least greatest countIf sumIf minIf maxIf avgIf anyIf argMax argMaxIf
		quantile quantileIf uniqExact uniqExactIf any toUnixTimestamp64Nano intDiv lagInFrame toNullable cityHash64
		arrayMap log true false`) {
		chartWords[w] = true
	}
}

// checkChartSQL asserts a chart statement holds nothing but schema
// identifiers, fixed __ aliases, known keywords and functions, operators,
// placeholders and fixed constants, with one argument per placeholder.
func checkChartSQL(q ChartQuery) string {
	rest := q.SQL
	for rest != "" {
		m := chartTokenRE.FindString(rest)
		if m == "" {
			return fmt.Sprintf("unexpected text %q in %s", rest, q.SQL)
		}
		if c := m[0]; c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			if !strings.HasPrefix(m, "__") && !sqlWords[m] && !chartWords[m] && !isAnySchemaIdent(m) {
				return fmt.Sprintf("identifier %q is neither a schema column nor a known keyword in %s", m, q.SQL)
			}
		}
		rest = rest[len(m):]
	}
	if n := strings.Count(q.SQL, "?"); n != len(q.Args) {
		return fmt.Sprintf("%d placeholders but %d args in %s", n, len(q.Args), q.SQL)
	}
	return ""
}

func isAnySchemaIdent(name string) bool {
	for _, t := range schema.Tables {
		if t.Name == name || isSchemaIdent(t, name) {
			return true
		}
	}
	return false
}
