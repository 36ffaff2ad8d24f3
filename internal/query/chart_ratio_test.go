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

func TestChartRatioValidation(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, req, msg string
	}{
		{"one select", `{"source":"traces","seriesReturnType":"ratio","select":[{"aggFn":"count"}]}`, "exactly two select items (got 1)"},
		{"three selects", `{"source":"traces","seriesReturnType":"ratio","select":[{"aggFn":"count"},{"aggFn":"count"},{"aggFn":"count"}]}`,
			"exactly two select items (got 3)"},
		{"heatmap", `{"source":"traces","seriesReturnType":"ratio","displayType":"heatmap","select":[{"aggFn":"count"},{"aggFn":"count"}]}`,
			"heatmap cannot show a ratio"},
		{"unknown type", `{"source":"traces","seriesReturnType":"percent","select":[{"aggFn":"count"},{"aggFn":"count"}]}`,
			`unknown seriesReturnType "percent"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var req ChartRequest
			if err := json.Unmarshal([]byte(c.req), &req); err != nil {
				t.Fatal(err)
			}
			_, err := PlanChart(&req, t0, t0.Add(time.Hour), DuckDB)
			var ce *ChartError
			if !errors.As(err, &ce) || ce.Field != "seriesReturnType" || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %v (field %q), want field seriesReturnType and %q", err, fieldOf(ce), c.msg)
			}
		})
	}
	for _, rt := range []string{"", "column", "Ratio"} {
		req := ChartRequest{Source: "logs", SeriesReturnType: rt, Select: []ChartSelect{{AggFn: "count"}, {AggFn: "count"}}}
		if _, err := PlanChart(&req, t0, t0.Add(time.Hour), ClickHouse); err != nil {
			t.Errorf("seriesReturnType %q: %v", rt, err)
		}
	}
}

func TestDivide(t *testing.T) {
	nan := math.NaN()
	cases := []struct{ num, den, want float64 }{
		{1, 4, 0.25}, {0, 4, 0}, {0, 0, nan}, {3, 0, nan}, {nan, 2, nan}, {2, nan, nan},
		{math.MaxFloat64, 1e-300, nan}, {-1, 2, -0.5},
	}
	for _, c := range cases {
		got := divide(c.num, c.den)
		if got != c.want && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("divide(%v, %v) = %v, want %v", c.num, c.den, got, c.want)
		}
	}
}

// TestExecuteRatio runs ratio plans over canned rows: one series per
// group, Other divided after merging, empty denominators as null.
func TestExecuteRatio(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	b0, b1 := t0.UnixNano(), t0.Add(30*time.Minute).UnixNano()
	nan := math.NaN()
	errorRate := []ChartSelect{{AggFn: "count", Where: "StatusCode:Error", Alias: "errors"}, {AggFn: "count", Alias: "requests"}}
	cases := []struct {
		name  string
		req   ChartRequest
		rows  [][][]any
		want  map[string][]float64
		other bool
	}{
		{
			name: "ungrouped line, empty bucket is null",
			req:  ChartRequest{Source: "traces", Granularity: "30 minute", SeriesReturnType: "ratio", Select: errorRate},
			// Columns: __b, errors, requests; bucket b1 has no rows.
			rows: [][][]any{{{b0, 1.0, 4.0}}},
			want: map[string][]float64{"errors / requests": {0.25, nan}},
		},
		{
			name: "grouped, top 1 and Other merged before dividing",
			req: ChartRequest{Source: "traces", Granularity: "30 minute", SeriesReturnType: "ratio", Select: errorRate,
				GroupBy: GroupByList{"ServiceName"}, Limit: 1},
			// payment ranks first by errors (3); cart and ad form Other:
			// (1 + 0) / (2 + 8) in b0 and 0 / 0 in b1 (no rows).
			rows: [][][]any{{
				{b0, "payment", 2.0, 4.0}, {b1, "payment", 1.0, 0.0},
				{b0, "cart", 1.0, 2.0}, {b0, "ad", 0.0, 8.0},
			}},
			want:  map[string][]float64{"payment": {0.5, nan}, "Other": {0.1, nan}},
			other: true,
		},
		{
			name: "table of quantiles ranked in SQL",
			req: ChartRequest{Source: "traces", DisplayType: "table", SeriesReturnType: "ratio", Limit: 1, GroupBy: GroupByList{"ServiceName"},
				Select: []ChartSelect{{AggFn: "p99", ValueExpression: "Duration"}, {AggFn: "p50", ValueExpression: "Duration"}}},
			rows: [][][]any{
				{{"slow", 9.0}, {"fast", 1.0}},
				{{int64(0), "slow", 9.0, 3.0}, {int64(0), nil, 1.0, nil}},
			},
			want:  map[string][]float64{"slow": {3}, "Other": {nan}},
			other: true,
		},
		{
			name: "number over two metrics statements",
			req: ChartRequest{Source: "metrics", DisplayType: "number", SeriesReturnType: "ratio", Select: []ChartSelect{
				{AggFn: "increase", MetricName: "errors_total", MetricType: "sum"}, {AggFn: "increase", MetricName: "requests_total", MetricType: "sum"}}},
			rows: [][][]any{{{int64(0), 5.0}}, {{int64(0), 200.0}}},
			want: map[string][]float64{"increase(errors_total) / increase(requests_total)": {0.025}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := PlanChart(&c.req, t0, t0.Add(time.Hour), DuckDB)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Execute(context.Background(), fakeRows(c.rows...))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Series) != len(c.want) || res.Meta.SeriesReturnType != "ratio" || res.Meta.Other != c.other {
				t.Fatalf("series = %+v, meta = %+v", res.Series, res.Meta)
			}
			for _, s := range res.Series {
				want, ok := c.want[s.Name]
				if !ok || s.Select != 0 || len(s.Points) != len(want) {
					t.Fatalf("series %q (select %d) = %v, want %v", s.Name, s.Select, s.Points, want)
				}
				for i, pt := range s.Points {
					if !(pt.V == want[i] || math.Abs(pt.V-want[i]) < 1e-12 || math.IsNaN(pt.V) && math.IsNaN(want[i])) {
						t.Errorf("series %q point %d = %v, want %v", s.Name, i, pt.V, want[i])
					}
				}
			}
			if b, err := json.Marshal(res); err != nil || strings.Contains(string(b), "Inf") {
				t.Errorf("JSON %s, %v", b, err)
			}
		})
	}
}
