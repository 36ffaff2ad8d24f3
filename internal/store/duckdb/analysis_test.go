package duckdb

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

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

// TestPatternCounts: LIKE patterns with escapes, the first match wins,
// errors, services and buckets are counted over the whole scope.
func TestPatternCounts(t *testing.T) {
	s, err := Open(Config{Dir: t.TempDir()}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ld := plog.NewLogs()
	for i, b := range []string{"100% done", "100x done", "100% done", "a_b", "axb", "other"} {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", []string{"a", "b"}[i%2])
		r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		r.SetTimestamp(pcommon.NewTimestampFromTime(base.Add(time.Duration(i) * time.Minute)))
		r.Body().SetStr(b)
		if i == 0 {
			r.SetSeverityNumber(plog.SeverityNumberFatal)
		}
	}
	if err := s.InsertLogs(ctx, ld); err != nil {
		t.Fatal(err)
	}
	sc := store.Scope{Source: &schema.LogsSource, Start: base, End: base.Add(time.Hour)}
	pcs, scanned, err := s.PatternCounts(ctx, store.PatternCountParams{Scope: sc, Patterns: []string{`100\% done`, `100% done`, `a\_b`, `%`}, Step: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		count, errs int64
		svcs        map[string]int64
		buckets     map[int64]int64
	}
	b0 := base.UnixNano()
	want := []got{
		{2, 1, map[string]int64{"a": 2}, map[int64]int64{b0: 1, b0 + int64(2*time.Minute): 1}},
		{1, 0, map[string]int64{"b": 1}, map[int64]int64{b0: 1}},
		{1, 0, map[string]int64{"b": 1}, map[int64]int64{b0 + int64(2*time.Minute): 1}},
		{2, 0, map[string]int64{"a": 1, "b": 1}, map[int64]int64{b0 + int64(4*time.Minute): 2}},
	}
	if scanned != 6 || len(pcs) != len(want) {
		t.Fatalf("scanned %d, %d counts", scanned, len(pcs))
	}
	for i, w := range want {
		p := pcs[i]
		if p.Count != w.count || p.Errors != w.errs || !mapsEqual(p.Services, w.svcs) || !mapsEqual(p.Buckets, w.buckets) {
			t.Errorf("pattern %d: %+v, want %+v", i, p, w)
		}
	}
}

func mapsEqual[K comparable](a, b map[K]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
