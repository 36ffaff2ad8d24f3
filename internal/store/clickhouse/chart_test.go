package clickhouse

import (
	"context"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// TestChartAndValues: a count chart grouped by service and the value list
// of ServiceName run on ClickHouse with exact answers.
func TestChartAndValues(t *testing.T) {
	st := openTest(t, nil)
	defer st.Close()
	ctx := context.Background()
	base := time.Now().UTC().Add(-10 * time.Minute)
	if err := st.InsertLogs(ctx, storetest.SampleLogsAt(base, 100)); err != nil {
		t.Fatal(err)
	}
	all, err := st.Search(ctx, store.SearchParams{Source: sourceLogs(), Start: base.Add(-time.Hour), End: base.Add(time.Hour), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	perService := map[string]float64{}
	for _, r := range all.Rows {
		perService[r["ServiceName"].(string)]++
	}
	req := &query.ChartRequest{Source: "logs", Select: []query.ChartSelect{{AggFn: "count"}}, GroupBy: query.GroupByList{"ServiceName"}, DisplayType: "table"}
	res, err := st.Chart(ctx, store.ChartParams{Request: req, Start: base.Add(-time.Hour), End: base.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Series) != len(perService) {
		t.Fatalf("%d series, want %d: %+v", len(res.Series), len(perService), res.Series)
	}
	for _, s := range res.Series {
		if len(s.Points) != 1 || s.Points[0].V != perService[s.Name] {
			t.Errorf("series %q: %+v, want %v", s.Name, s.Points, perService[s.Name])
		}
	}
	vals, err := st.Values(ctx, store.ValuesParams{Source: "logs", Field: "ServiceName", Start: base.Add(-time.Hour), End: base.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != len(perService) {
		t.Fatalf("values %+v, want %d services", vals, len(perService))
	}
	for _, v := range vals {
		if float64(v.Count) != perService[v.Value] {
			t.Errorf("value %q count %d, want %v", v.Value, v.Count, perService[v.Value])
		}
	}
}

func sourceLogs() *schema.Source { return &schema.LogsSource }
