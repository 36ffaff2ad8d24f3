package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

// TestChartRatio runs seriesReturnType "ratio" charts on the span and
// metrics fixtures (chart_test.go) in a real DuckDB.
func TestChartRatio(t *testing.T) {
	s := openChartStore(t)
	visaShare := []query.ChartSelect{
		{AggFn: "count", Where: "SpanAttributes.app.payment.card_type:visa", Alias: "visa"},
		{AggFn: "count", Alias: "all"},
	}
	cases := []struct {
		name       string
		req        query.ChartRequest
		start, end time.Time
		want       map[string][]float64
		other      bool
	}{
		{
			// payment: 5 visa of 11 spans (amex at minute 0), then 5 of 10;
			// frontend: only visa.
			name: "share of visa spans per service",
			req: query.ChartRequest{Source: "traces", Granularity: "5 minute", SeriesReturnType: "ratio",
				Select: visaShare, GroupBy: query.GroupByList{"ServiceName"}},
			start: chartT0, end: minute(10),
			want: map[string][]float64{"payment": {5.0 / 11, 0.5}, "frontend": {1, 1}},
		},
		{
			// Ranked by the numerator: a tie at 10 visa spans, broken by
			// name; payment goes to Other, divided after merging.
			name: "top 1 and Other",
			req: query.ChartRequest{Source: "traces", Granularity: "5 minute", SeriesReturnType: "ratio", Limit: 1,
				Select: visaShare, GroupBy: query.GroupByList{"ServiceName"}},
			start: chartT0, end: minute(10),
			want:  map[string][]float64{"frontend": {1, 1}, "Other": {5.0 / 11, 0.5}},
			other: true,
		},
		{
			name: "division by zero is null",
			req: query.ChartRequest{Source: "traces", Granularity: "1 minute", SeriesReturnType: "ratio", Select: []query.ChartSelect{
				{AggFn: "count", Where: "ServiceName:payment", Alias: "payment"},
				{AggFn: "count", Where: "SpanAttributes.app.payment.card_type:amex", Alias: "amex"}}},
			start: chartT0, end: minute(3),
			want: map[string][]float64{"payment / amex": {3, nan, nan}},
		},
		{
			name: "quantile ratio table, ranked in SQL",
			req: query.ChartRequest{Source: "traces", DisplayType: "table", SeriesReturnType: "ratio", Limit: 1,
				GroupBy: query.GroupByList{"ServiceName"},
				Select:  []query.ChartSelect{{AggFn: "p99", ValueExpression: "Duration"}, {AggFn: "p50", ValueExpression: "Duration"}}},
			start: chartT0, end: minute(10),
			want: map[string][]float64{"frontend": {1},
				"Other": {exactQuantile(paymentDurations(), 0.99) / exactQuantile(paymentDurations(), 0.5)}},
			other: true,
		},
		{
			// Two statements (one per metric): Σ delta_total 18 over the
			// increase of requests_total 10+10+10+5+10+10.
			name: "number over two counters",
			req: query.ChartRequest{Source: "metrics", DisplayType: "number", SeriesReturnType: "ratio", Select: []query.ChartSelect{
				{AggFn: "increase", MetricName: "delta_total", MetricType: "sum", Alias: "delta"},
				{AggFn: "increase", MetricName: "requests_total", MetricType: "sum", Alias: "requests"}}},
			start: chartT0, end: minute(7),
			want: map[string][]float64{"delta / requests": {18.0 / 55}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := s.Chart(context.Background(), store.ChartParams{Request: &c.req, Start: c.start, End: c.end})
			if err != nil {
				t.Fatalf("Chart: %v", err)
			}
			if len(res.Series) != len(c.want) || res.Meta.SeriesReturnType != query.ReturnRatio || res.Meta.Other != c.other {
				t.Errorf("got %d series (meta %+v), want %d", len(res.Series), res.Meta, len(c.want))
			}
			for name, want := range c.want {
				if got := values(series(t, res, name)); !sameValues(got, want) {
					t.Errorf("series %q = %v, want %v", name, got, want)
				}
			}
		})
	}
}
