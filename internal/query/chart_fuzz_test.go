package query

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzParseSQLExpr: value expressions never panic, fail only with
// *SyntaxError, and bind and render with no user text in the SQL.
func FuzzParseSQLExpr(f *testing.F) {
	for _, s := range []string{`Duration`, `SpanAttributes['app.payment.card_type']`, `toFloat64(LogAttributes['x'])`,
		`a, b`, `CAST(x AS Int64)`, `"q""`, `m['k'`, `f(`, `1; DROP TABLE x`, `lower(ServiceName), ResourceAttributes.k8s.pod.name`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		list, err := ParseSQLExprList(input)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("ParseSQLExprList(%q): error %T is not *SyntaxError", input, err)
			}
			return
		}
		for _, src := range []string{"logs", "traces", "metrics"} {
			for _, d := range []Dialect{DuckDB, ClickHouse} {
				stmts, err := PlanValues(src, input, "p%_'", gStart, gHour, 0, 0, d)
				if err != nil || len(list) != 1 {
					continue
				}
				for _, s := range stmts {
					if msg := checkChartSQL(s.Query); msg != "" {
						t.Fatalf("values of %q (%s/%s): %s", input, src, d.Name(), msg)
					}
				}
			}
		}
	})
}

// FuzzChart: any chart request (its expressions and options fuzzed)
// either fails validation with a *ChartError or plans statements that
// carry no user text and one argument per placeholder.
func FuzzChart(f *testing.F) {
	for _, c := range chartGoldenCases {
		var r ChartRequest
		if json.Unmarshal([]byte(c.req), &r) == nil {
			sel := r.Select[0]
			gb := ""
			if len(r.GroupBy) > 0 {
				gb = r.GroupBy[0]
			}
			f.Add(r.Source, sel.AggFn, sel.ValueExpression, sel.Where, r.Where, gb, r.Granularity, r.DisplayType, sel.MetricType, 0.5)
		}
	}
	f.Add("traces", "max", "Duration'); DROP TABLE x; --", "a:'", "b:\"", "x['y']", "1 minute", "line", "", 0.9)
	f.Fuzz(func(t *testing.T, source, aggFn, value, selWhere, where, groupBy, gran, display, mtype string, level float64) {
		req := ChartRequest{Source: source, Where: where, Granularity: gran, DisplayType: display,
			Select: []ChartSelect{{AggFn: aggFn, ValueExpression: value, Where: selWhere, Level: level, MetricName: "m", MetricType: mtype}}}
		if groupBy != "" {
			req.GroupBy = GroupByList{groupBy}
		}
		if source != "metrics" {
			req.Select[0].MetricName, req.Select[0].MetricType = "", ""
		}
		// The same select twice as a ratio plans the same statements.
		ratio := req
		ratio.SeriesReturnType = ReturnRatio
		ratio.Select = []ChartSelect{req.Select[0], req.Select[0]}
		for _, r := range []*ChartRequest{&req, &ratio} {
			fuzzPlan(t, r)
		}
	})
}

// fuzzPlan plans r in both dialects: it fails with a *ChartError or gives
// statements with no user text and one argument per placeholder.
func fuzzPlan(t *testing.T, req *ChartRequest) {
	t.Helper()
	for _, d := range []Dialect{DuckDB, ClickHouse} {
		p, err := PlanChart(req, gStart, gStart.Add(6*time.Hour), d)
		if err != nil {
			if _, ok := err.(*ChartError); !ok {
				t.Fatalf("PlanChart: error %T (%v) is not *ChartError", err, err)
			}
			continue
		}
		for _, q := range renderPlan(p) {
			if msg := checkChartSQL(q); msg != "" {
				t.Fatalf("%+v (%s): %s", req, d.Name(), msg)
			}
		}
	}
}
