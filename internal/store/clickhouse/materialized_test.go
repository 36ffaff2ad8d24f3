package clickhouse

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// withMaterialized configures a materialised attribute of each source.
func withMaterialized(c *Config) {
	c.MaterializedAttributes = map[string][]string{"logs": {"LogAttributes.user.id"}, "traces": {"SpanAttributes.net.peer.name"}}
}

// TestMaterializedAttributes: the defaults and the configured attributes
// become MATERIALIZED columns, searches read them instead of the maps, and
// answers equal the maps' (rows inserted before a column was added
// included); a key absent from a row still does not match.
func TestMaterializedAttributes(t *testing.T) {
	ctx := context.Background()
	base := time.Now().UTC().Truncate(time.Second).Add(-10 * time.Minute)
	// Rows first, in a store without the configured columns.
	s := openTest(t, nil)
	if err := s.InsertLogs(ctx, storetest.SampleLogsAt(base, 300)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, withMaterialized)
	defer s.Close()
	for _, c := range []struct{ table, col string }{
		{schema.LogsTable, "__hdx_materialized_LogAttributes.user.id"},
		{schema.TracesTable, "__hdx_materialized_SpanAttributes.net.peer.name"},
		{schema.TracesTable, "__hdx_materialized_SpanAttributes.app.payment.card_type"},
		{schema.LogsTable, "__hdx_materialized_k8s.pod.name"},
	} {
		if !s.has(c.table, c.col) {
			t.Errorf("%s lacks %s", c.table, c.col)
		}
	}
	all, err := s.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Start: base, End: base.Add(time.Hour), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	user := all.Rows[0]["LogAttributes"].(map[string]string)["user.id"]
	var want int64
	for _, r := range all.Rows {
		if r["LogAttributes"].(map[string]string)["user.id"] == user {
			want++
		}
	}
	f, err := query.Parse(`LogAttributes.user.id:"` + user + `"`)
	if err != nil {
		t.Fatal(err)
	}
	sql, _, err := query.Compile(f, &schema.LogsSource, s.dialect)
	if err != nil || !strings.Contains(sql, "__hdx_materialized_LogAttributes.user.id") {
		t.Fatalf("the filter does not read the column: %s %v", sql, err)
	}
	res, err := s.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Filter: f, Start: base, End: base.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Count != want || want == 0 {
		t.Errorf("search by the materialised column: %d rows, want %d", res.Count, want)
	}
	f, _ = query.Parse(`LogAttributes.user.id:*`)
	if res, err := s.Search(ctx, store.SearchParams{Source: &schema.LogsSource, Filter: f, Start: base, End: base.Add(time.Hour)}); err != nil || res.Count != 300 {
		t.Errorf("key exists: %d rows, %v", res.Count, err)
	}
	f, _ = query.Parse(`NOT SpanAttributes.net.peer.name:*`)
	if res, err := s.Search(ctx, store.SearchParams{Source: &schema.TracesSource, Filter: f, Start: base, End: base.Add(time.Hour)}); err != nil || res.Count != 0 {
		t.Errorf("key absent on empty traces: %d rows, %v", res.Count, err)
	}
}

// TestConformanceMaterialized runs the conformance suite on a store with
// materialised columns: every answer is the maps'.
func TestConformanceMaterialized(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openTest(t, withMaterialized) })
}
