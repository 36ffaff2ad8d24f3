package query

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseGranularity(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"", 0, false}, {"auto", 0, false}, {"1 minute", time.Minute, false}, {"5 minutes", 5 * time.Minute, false},
		{"30 second", 30 * time.Second, false}, {"1 hour", time.Hour, false}, {"1 day", 24 * time.Hour, false},
		{"15m", 15 * time.Minute, false}, {"1h", time.Hour, false}, {"2d", 48 * time.Hour, false}, {"minute", time.Minute, false},
		{"1 fortnight", 0, true}, {"0 minute", 0, true}, {"-1 minute", 0, true}, {"1.5 minute", 0, true},
	}
	for _, c := range cases {
		got, err := ParseGranularity(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseGranularity(%q) = %v, %v; want %v, err %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestAutoGranularity(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		span time.Duration
		want time.Duration
	}{
		{15 * time.Minute, 10 * time.Second}, {time.Hour, 30 * time.Second}, {24 * time.Hour, 15 * time.Minute},
		{7 * 24 * time.Hour, 2 * time.Hour}, {30 * 24 * time.Hour, 6 * time.Hour}, {time.Minute, time.Second},
	}
	for _, c := range cases {
		got := AutoGranularity(t0, t0.Add(c.span))
		if got != c.want {
			t.Errorf("AutoGranularity(%v) = %v, want %v", c.span, got, c.want)
		}
		if n := bucketCount(t0, t0.Add(c.span), got); n > AutoBuckets {
			t.Errorf("AutoGranularity(%v) gives %d buckets", c.span, n)
		}
	}
	// An unaligned range may need one bucket more than span/step.
	if n := bucketCount(t0.Add(30*time.Second), t0.Add(90*time.Second), time.Minute); n != 2 {
		t.Errorf("bucketCount unaligned = %d, want 2", n)
	}
}

func TestHistQuantile(t *testing.T) {
	h := &histAcc{}
	h.add([]float64{10, 100, 1000}, []float64{20, 160, 20, 0})
	for _, c := range []struct{ q, want float64 }{{0.5, 55}, {0.95, 550}, {0.05, 5}, {1, 1000}} {
		if got := h.quantile(c.q); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	inf := &histAcc{}
	inf.add([]float64{10}, []float64{1, 9})
	if got := inf.quantile(0.9); got != 10 {
		t.Errorf("quantile in +Inf bucket = %v, want the last bound 10", got)
	}
	if got := (&histAcc{}).quantile(0.5); !math.IsNaN(got) {
		t.Errorf("empty quantile = %v", got)
	}
	h.add([]float64{1, 2}, []float64{1, 1, 1})
	if h.skipped != 1 {
		t.Errorf("mismatched bounds not skipped")
	}
}

func TestGroupByListJSON(t *testing.T) {
	for in, want := range map[string]int{`"a, b"`: 1, `["a","b"]`: 2, `""`: 0, `null`: 0} {
		var g GroupByList
		if err := json.Unmarshal([]byte(in), &g); err != nil || len(g) != want {
			t.Errorf("%s → %q, %v", in, g, err)
		}
	}
	var g GroupByList
	if err := json.Unmarshal([]byte(`3`), &g); err == nil {
		t.Errorf("number accepted as groupBy")
	}
}

func TestParseSQLExpr(t *testing.T) {
	ok := []string{`Duration`, `SpanAttributes['app.payment.card_type']`, `SpanAttributes.http.method`, `toFloat64(LogAttributes['x'])`,
		`"ServiceName"`, `lower(ServiceName)`, `CAST(Duration AS Float64)`}
	for _, in := range ok {
		if _, err := ParseSQLExpr(in); err != nil {
			t.Errorf("ParseSQLExpr(%q): %v", in, err)
		}
	}
	bad := map[string]int{``: 0, `a = 1`: 0, `a b`: 2, `f(`: 0, `x)`: 1, `m['k'`: 5, `a, b`: 1, `1; DROP`: 1}
	for in, pos := range bad {
		_, err := ParseSQLExpr(in)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Pos != pos {
			t.Errorf("ParseSQLExpr(%q) = %v, want a syntax error at %d", in, err, pos)
		}
	}
	list, err := ParseSQLExprList(`ServiceName, lower(SpanAttributes['a,b']), x`)
	if err != nil || len(list) != 3 {
		t.Errorf("list = %v, %v", list, err)
	}
}

func TestChartValidation(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		req   string
		field string
		msg   string
	}{
		{`{"source":"x","select":[{"aggFn":"count"}]}`, "source", "unknown source"},
		{`{"source":"logs"}`, "select", "at least one"},
		{`{"source":"logs","select":[{"aggFn":"nope"}]}`, "select[0].aggFn", "unknown aggFn"},
		{`{"source":"logs","select":[{"aggFn":"max"}]}`, "select[0].valueExpression", "needs a valueExpression"},
		{`{"source":"logs","select":[{"aggFn":"max","valueExpression":"Timestamp"}]}`, "select[0].valueExpression", "needs a number"},
		{`{"source":"logs","select":[{"aggFn":"max","valueExpression":"LogAttributes"}]}`, "select[0].valueExpression", "whole map"},
		{`{"source":"logs","select":[{"aggFn":"quantile","level":1.5,"valueExpression":"SeverityNumber"}]}`, "select[0].level", "out of range"},
		{`{"source":"logs","select":[{"aggFn":"count","level":0.5}]}`, "select[0].level", "only used by"},
		{`{"source":"logs","select":[{"aggFn":"count","where":"a","aggCondition":"b"}]}`, "select[0].aggCondition", "not both"},
		{`{"source":"logs","select":[{"aggFn":"count","where":"(a"}]}`, "select[0].where", "position"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"where":"ServiceNme:x"}`, "where", "did you mean"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"whereLanguage":"kql"}`, "where", "whereLanguage"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"groupBy":["LogAttributes"]}`, "groupBy (LogAttributes)", "whole map"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"groupBy":["a = 1"]}`, "groupBy[0]", "condition"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"groupBy":["a,b,c,d,e,f"]}`, "groupBy", "at most"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"granularity":"weekly"}`, "granularity", "not understood"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"limit":500}`, "limit", "out of range"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"displayType":"pie"}`, "displayType", "unknown displayType"},
		{`{"source":"logs","select":[{"aggFn":"count"}],"displayType":"number","groupBy":"ServiceName"}`, "groupBy", "one series"},
		{`{"source":"logs","select":[{"aggFn":"rate"}]}`, "select[0].aggFn", "counters"},
		{`{"source":"logs","select":[{"aggFn":"count","metricName":"x"}]}`, "select[0].metricName", "for source"},
		{`{"source":"metrics","select":[{"aggFn":"max","metricType":"gauge"}]}`, "select[0].metricName", "needs a metricName"},
		{`{"source":"metrics","select":[{"aggFn":"max","metricName":"m","metricType":"summary"}]}`, "select[0].metricType", "not supported"},
		{`{"source":"metrics","select":[{"aggFn":"increase","metricName":"m","metricType":"gauge"}]}`, "select[0].aggFn", "sum (counter)"},
		{`{"source":"metrics","select":[{"aggFn":"min","metricName":"m","metricType":"histogram"}]}`, "select[0].aggFn", "histogram"},
		{`{"source":"metrics","select":[{"aggFn":"quantile","level":0.5,"metricName":"m","metricType":"histogram","valueExpression":"Sum"}]}`, "select[0].valueExpression", "buckets"},
		{`{"source":"traces","displayType":"heatmap","select":[{"aggFn":"max","valueExpression":"Duration"}]}`, "select[0].aggFn", "heatmap counts"},
		{`{"source":"logs","displayType":"heatmap","select":[{"aggFn":"count"}]}`, "select[0].valueExpression", "value axis"},
		{`{"source":"traces","displayType":"heatmap","heatmap":{"scale":"log","min":0,"max":5},"select":[{"aggFn":"count"}]}`, "heatmap.min", "min > 0"},
		{`{"source":"traces","displayType":"heatmap","heatmap":{"bins":1000},"select":[{"aggFn":"count"}]}`, "heatmap.bins", "out of range"},
	}
	for _, c := range cases {
		var req ChartRequest
		if err := json.Unmarshal([]byte(c.req), &req); err != nil {
			t.Fatalf("%s: %v", c.req, err)
		}
		_, err := PlanChart(&req, t0, t0.Add(time.Hour), DuckDB)
		var ce *ChartError
		if !errors.As(err, &ce) || ce.Field != c.field || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v (field %q), want field %q and %q", c.req, err, fieldOf(ce), c.field, c.msg)
		}
	}
	var req ChartRequest
	if _, err := PlanChart(&req, t0.Add(time.Hour), t0, DuckDB); err == nil {
		t.Errorf("inverted range accepted")
	}
}

func fieldOf(ce *ChartError) string {
	if ce == nil {
		return ""
	}
	return ce.Field
}

// fakeRows answers each statement of a plan with canned rows, in order.
func fakeRows(rows ...[][]any) QueryFunc {
	i := 0
	return func(_ context.Context, _ ChartQuery, row func([]any) error) error {
		defer func() { i++ }()
		for _, r := range rows[i] {
			if err := row(r); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestExecuteMergesOtherInGo(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	req := ChartRequest{Source: "traces", DisplayType: "table", Limit: 1, GroupBy: GroupByList{"ServiceName"},
		Select: []ChartSelect{{AggFn: "avg", ValueExpression: "Duration", Alias: "avg"}, {AggFn: "last_value", ValueExpression: "Duration", Alias: "last"}}}
	p, err := PlanChart(&req, t0, t0.Add(time.Hour), DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	// Columns: __b, __g0, sum, count, last value, last time.
	res, err := p.Execute(context.Background(), fakeRows([][]any{
		{int64(0), "a", 10.0, 1.0, 10.0, 5.0},
		{int64(0), "b", 30.0, 3.0, 7.0, 9.0},
		{int64(0), "c", 20.0, 1.0, 20.0, 1.0},
	}))
	if err != nil {
		t.Fatal(err)
	}
	// Ranked by avg: c (20) is kept; a and b merge into Other: avg 40/4,
	// last is b's (time 9).
	want := map[string]float64{"avg · c": 20, "avg · Other": 10, "last · c": 20, "last · Other": 7}
	if len(res.Series) != len(want) {
		t.Fatalf("series = %+v", res.Series)
	}
	for _, s := range res.Series {
		if w, ok := want[s.Name]; !ok || s.Points[0].V != w || s.Points[0].T != t0.UnixMilli() {
			t.Errorf("series %q = %v, want %v", s.Name, s.Points, w)
		}
	}
	if !res.Meta.Other || res.Meta.Groups != 3 || res.Meta.Rows != 3 {
		t.Errorf("meta = %+v", res.Meta)
	}
}

func TestExecuteRankPath(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	req := ChartRequest{Source: "traces", Granularity: "30 minute", Limit: 1, GroupBy: GroupByList{"ServiceName"},
		Select: []ChartSelect{{AggFn: "p50", ValueExpression: "Duration"}}}
	p, err := PlanChart(&req, t0, t0.Add(time.Hour), DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	var sqls []string
	rows := fakeRows(
		[][]any{{"slow", 9.0}, {"fast", 1.0}}, // ranking: 2 > limit → other
		[][]any{{int64(t0.UnixNano()), "slow", 9.0}, {int64(t0.UnixNano()), nil, 1.0}},
	)
	res, err := p.Execute(context.Background(), func(ctx context.Context, q ChartQuery, row func([]any) error) error {
		sqls = append(sqls, q.SQL)
		return rows(ctx, q, row)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sqls) != 2 || !strings.Contains(sqls[0], "ORDER BY __s DESC") || !strings.Contains(sqls[1], "__in") {
		t.Errorf("statements = %q", sqls)
	}
	if len(res.Series) != 2 || res.Series[0].Name != "slow" || res.Series[1].Name != "Other" || !res.Series[1].Other {
		t.Fatalf("series = %+v", res.Series)
	}
	if p := res.Series[1].Points; len(p) != 2 || p[0].V != 1 || !math.IsNaN(p[1].V) {
		t.Errorf("other points = %v (an empty bucket of a quantile is null)", p)
	}
}

func TestExecuteRowBudget(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	p, err := PlanChart(&ChartRequest{Source: "logs", Select: []ChartSelect{{AggFn: "count"}}}, t0, t0.Add(time.Hour), DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Execute(context.Background(), func(_ context.Context, _ ChartQuery, row func([]any) error) error {
		for i := 0; ; i++ {
			if err := row([]any{int64(i), 1.0}); err != nil {
				return err
			}
		}
	})
	var ce *ChartError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "result rows") {
		t.Errorf("err = %v, want a *ChartError about result rows", err)
	}
}

func TestPointJSON(t *testing.T) {
	b, err := json.Marshal([]Point{{T: 1, V: 2.5}, {T: 2, V: math.NaN()}})
	if err != nil || string(b) != `[[1,2.5],[2,null]]` {
		t.Errorf("marshal = %s, %v", b, err)
	}
	var ps []Point
	if err := json.Unmarshal(b, &ps); err != nil || ps[0].V != 2.5 || !math.IsNaN(ps[1].V) {
		t.Errorf("unmarshal = %v, %v", ps, err)
	}
}
