package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// TestAnalysisSampling: scopes over the budget are sampled — by vectors
// from systemSampleMin rows, by row hash below — the samples stay within
// the budget, and the counts that must be exact are.
func TestAnalysisSampling(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir(), MaxQueueWait: -1}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 20_000
	for i := 0; i < n; i += 5000 {
		at := base.Add(time.Duration(i) * time.Millisecond)
		if err := s.InsertLogs(ctx, storetest.SampleLogsAt(at, 5000)); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertTraces(ctx, storetest.SampleTracesAt(at, 5000)); err != nil {
			t.Fatal(err)
		}
	}
	logs := store.Scope{Source: &schema.LogsSource, Start: base, End: base.Add(time.Hour)}
	traces := store.Scope{Source: &schema.TracesSource, Start: base, End: base.Add(time.Hour)}
	defer func(v int64) { systemSampleMin = v }(systemSampleMin)
	for _, min := range []int64{1000, 1 << 40} { // vectors; row hash
		systemSampleMin = min
		ts, err := s.SampleTexts(ctx, logs, 4000)
		if err != nil {
			t.Fatal(err)
		}
		if !ts.Sampled || ts.Total != n || len(ts.Rows) == 0 || len(ts.Rows) > 4000 {
			t.Errorf("min %d: texts sampled %v total %d rows %d", min, ts.Sampled, ts.Total, len(ts.Rows))
		}
		fr, err := s.Facets(ctx, store.FacetParams{Scope: logs, Fields: []string{"ServiceName"}, Names: []string{"ServiceName"}, Limit: 3, MaxRows: 4000})
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, v := range fr.Facets[0].Values {
			sum += v.Count
		}
		if !fr.Sampled || fr.RowsScanned != 4000 || sum == 0 || sum > 4000 || !fr.Facets[0].More {
			t.Errorf("min %d: facets sampled %v rows %d sum %d more %v", min, fr.Sampled, fr.RowsScanned, sum, fr.Facets[0].More)
		}
		dmin := int64(10 * time.Millisecond)
		dr, err := s.Deltas(ctx, store.DeltaParams{Scope: traces, DurationMin: &dmin, MaxRows: 2000, MaxValues: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !dr.Sampled || dr.SelectionCount+dr.BackgroundCount != n || dr.SelectionCount == 0 || len(dr.Fields) == 0 {
			t.Errorf("min %d: deltas sampled %v counts %d+%d fields %d", min, dr.Sampled, dr.SelectionCount, dr.BackgroundCount, len(dr.Fields))
		}
		for _, f := range dr.Fields {
			if f.Field == "SpanAttributes.session.id" || f.Field == "SpanAttributes.user.id" {
				t.Errorf("min %d: id-like field %s not left out", min, f.Field)
			}
		}
		keys, err := s.TopAttributeKeys(ctx, logs, 4000, 3)
		if err != nil || len(keys) != 3 {
			t.Errorf("min %d: top keys %v %v", min, keys, err)
		}
	}
}
