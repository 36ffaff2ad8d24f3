package parts

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestNoBounds: a part's attribute maps, Body, StatusMessage, events and
// links are written without min/max, and the columns queries and trace
// lookups prune on keep them (TraceId's column index, Timestamp's and
// ServiceName's statistics).
func TestNoBounds(t *testing.T) {
	keep := []string{"Timestamp", "TraceId", "ServiceName", "SeverityText", "SpanName", "StatusCode", "Duration"}
	for _, tc := range []struct {
		name   string
		schema *parquet.Schema
		skip   []string // columns (dotted paths) without bounds, at least
	}{
		{"spans", parquet.SchemaOf(new(SpanRow)), []string{"SpanAttributes.keys.list.element", "SpanAttributes.values.list.element",
			"ResourceAttributes.values.list.element", "StatusMessage", "Events.list.element.Name", "Links.list.element.TraceId"}},
		{"logs", parquet.SchemaOf(new(LogRow)), []string{"Body", "LogAttributes.keys.list.element", "LogAttributes.values.list.element",
			"ScopeAttributes.values.list.element"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var skipped []string
			for _, p := range tc.schema.Columns() {
				if noBounds(p) {
					skipped = append(skipped, strings.Join(p, "."))
				}
			}
			for _, s := range tc.skip {
				if !slices.Contains(skipped, s) {
					t.Errorf("%s keeps its bounds (skipped: %v)", s, skipped)
				}
			}
			for _, k := range keep {
				if slices.Contains(skipped, k) {
					t.Errorf("%s has no bounds", k)
				}
			}
		})
	}
	// In a written part: Body has no statistics, Timestamp and
	// ServiceName do.
	path := filepath.Join(t.TempDir(), "part.parquet")
	at := 0
	if _, err := writeParquet(path, 65_536, 0, 0, func(batch []LogRow) (int, error) {
		n := 0
		for ; n < len(batch) && at < 100; n, at = n+1, at+1 {
			batch[n] = LogRow{Timestamp: int64(at), ServiceName: "svc", Body: "body"}
		}
		return n, nil
	}); err != nil {
		t.Fatal(err)
	}
	pf := openParquet(t, path)
	md := pf.Metadata().RowGroups[0].Columns
	for i, p := range pf.Schema().Columns() {
		st := md[i].MetaData.Statistics
		has := st.MinValue != nil || st.MaxValue != nil
		switch strings.Join(p, ".") {
		case "Body":
			if has {
				t.Errorf("Body has statistics %q…%q", st.MinValue, st.MaxValue)
			}
		case "Timestamp", "ServiceName":
			if !has {
				t.Errorf("%s has no statistics", strings.Join(p, "."))
			}
		}
	}
}
