package storetest

import (
	"context"
	"maps"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// analyzer is what the analysis capability provides.
type analyzer interface {
	store.TextAnalyzer
	store.DeltaAnalyzer
	store.Faceter
}

// testPatternCounts: LIKE patterns with escapes, the first match wins,
// errors, services and buckets are counted over the whole scope; samples
// of a small scope are every text; RowsAt finds rows by time.
func testPatternCounts(t *testing.T, st store.Store) {
	s := st.(analyzer)
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
	if err := st.InsertLogs(ctx, ld); err != nil {
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
		if p.Count != w.count || p.Errors != w.errs || !maps.Equal(p.Services, w.svcs) || !maps.Equal(p.Buckets, w.buckets) {
			t.Errorf("pattern %d: %+v, want %+v", i, p, w)
		}
	}

	ts, err := s.SampleTexts(ctx, sc, 100)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Total != 6 || ts.Sampled || len(ts.Rows) != 6 {
		t.Fatalf("texts: total %d sampled %v rows %d", ts.Total, ts.Sampled, len(ts.Rows))
	}
	var errs int
	for _, r := range ts.Rows {
		if r.Error {
			errs++
			if r.Text != "100% done" || r.Service != "a" || !r.Time.Equal(base) {
				t.Errorf("error row %+v", r)
			}
		}
	}
	if errs != 1 {
		t.Errorf("%d error rows, want 1", errs)
	}
	f, err := query.Parse("ServiceName:b")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.RowsAt(ctx, store.Scope{Source: &schema.LogsSource, Filter: f, Start: base, End: base.Add(time.Hour)},
		[]time.Time{base, base.Add(time.Minute), base.Add(3 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0]["Body"] != "a_b" || rows[1]["Body"] != "100x done" {
		t.Errorf("rows at: %v", rows)
	}
	if _, err := s.SampleTexts(ctx, store.Scope{Source: &schema.LogsSource, Start: base, End: base}, 10); err == nil {
		t.Error("an empty range was accepted")
	}
}

// testSampledAnalysis: scopes over the row budget are sampled, the samples
// stay within the budget, and the counts that must be exact are.
func testSampledAnalysis(t *testing.T, st store.Store) {
	s := st.(analyzer)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 20_000
	for i := 0; i < n; i += 5000 {
		at := base.Add(time.Duration(i) * time.Millisecond)
		if err := st.InsertLogs(ctx, SampleLogsAt(at, 5000)); err != nil {
			t.Fatal(err)
		}
		if err := st.InsertTraces(ctx, SampleTracesAt(at, 5000)); err != nil {
			t.Fatal(err)
		}
	}
	logs := store.Scope{Source: &schema.LogsSource, Start: base, End: base.Add(time.Hour)}
	traces := store.Scope{Source: &schema.TracesSource, Start: base, End: base.Add(time.Hour)}
	ts, err := s.SampleTexts(ctx, logs, 4000)
	if err != nil {
		t.Fatal(err)
	}
	if !ts.Sampled || ts.Total != n || len(ts.Rows) < 2000 || len(ts.Rows) > 4000 {
		t.Errorf("texts sampled %v total %d rows %d", ts.Sampled, ts.Total, len(ts.Rows))
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
		t.Errorf("facets sampled %v rows %d sum %d more %v", fr.Sampled, fr.RowsScanned, sum, fr.Facets[0].More)
	}
	dmin := int64(10 * time.Millisecond)
	dr, err := s.Deltas(ctx, store.DeltaParams{Scope: traces, DurationMin: &dmin, MaxRows: 2000, MaxValues: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !dr.Sampled || dr.SelectionCount+dr.BackgroundCount != n || dr.SelectionCount == 0 || len(dr.Fields) == 0 {
		t.Errorf("deltas sampled %v counts %d+%d fields %d", dr.Sampled, dr.SelectionCount, dr.BackgroundCount, len(dr.Fields))
	}
	for _, f := range dr.Fields {
		if f.Field == "SpanAttributes.session.id" || f.Field == "SpanAttributes.user.id" {
			t.Errorf("id-like field %s not left out", f.Field)
		}
	}
	keys, err := s.TopAttributeKeys(ctx, logs, 4000, 3)
	if err != nil || len(keys) != 3 {
		t.Errorf("top keys %v %v", keys, err)
	}
}

// analysisSpans inserts 10 spans: 3 slow ones (20ms, service slow, region
// eu, one an error) and 7 fast ones (1ms, service fast, region us, two of
// them also with tier gold).
func analysisSpans(t *testing.T, st store.Store, base time.Time) {
	t.Helper()
	td := ptrace.NewTraces()
	for i := range 10 {
		slow := i < 3
		rs := td.ResourceSpans().AppendEmpty()
		svc, region, dur := "fast", "us", time.Millisecond
		if slow {
			svc, region, dur = "slow", "eu", 20*time.Millisecond
		}
		rs.Resource().Attributes().PutStr("service.name", svc)
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{1, byte(i)})
		sp.SetSpanID(pcommon.SpanID{2, byte(i)})
		sp.SetName("op")
		at := base.Add(time.Duration(i) * time.Second)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(at))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(at.Add(dur)))
		sp.Attributes().PutStr("region", region)
		if i == 0 {
			sp.Status().SetCode(ptrace.StatusCodeError)
		}
		if i >= 8 {
			sp.Attributes().PutStr("tier", "gold")
		}
	}
	if err := st.InsertTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
}

// testDeltas: exact distributions and scores of a selection by duration
// and by time, fields without values left out.
func testDeltas(t *testing.T, st store.Store) {
	s := st.(analyzer)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	analysisSpans(t, st, base)
	sc := store.Scope{Source: &schema.TracesSource, Start: base, End: base.Add(time.Hour)}
	dmin := int64(10 * time.Millisecond)
	dr, err := s.Deltas(ctx, store.DeltaParams{Scope: sc, DurationMin: &dmin, MaxRows: 1000, MaxValues: 10})
	if err != nil {
		t.Fatal(err)
	}
	if dr.SelectionCount != 3 || dr.BackgroundCount != 7 || dr.Sampled {
		t.Fatalf("counts %d/%d sampled %v", dr.SelectionCount, dr.BackgroundCount, dr.Sampled)
	}
	byName := map[string]store.DeltaField{}
	for _, f := range dr.Fields {
		byName[f.Field] = f
	}
	for _, tc := range []struct {
		field  string
		score  float64
		values []store.DeltaValue
	}{
		{"ServiceName", 1, []store.DeltaValue{{Value: "fast", Selection: 0, Background: 1}, {Value: "slow", Selection: 1, Background: 0}}},
		{"SpanAttributes.region", 1, []store.DeltaValue{{Value: "eu", Selection: 1, Background: 0}, {Value: "us", Selection: 0, Background: 1}}},
		{"SpanName", 0, []store.DeltaValue{{Value: "op", Selection: 1, Background: 1}}},
		// 1/3 of the selection is Error, the rest Unset.
		{"StatusCode", 0.3333, []store.DeltaValue{{Value: "Unset", Selection: 0.6667, Background: 1}, {Value: "Error", Selection: 0.3333, Background: 0}}},
		// Rows without tier count as a value: 0 vs 2/7.
		{"SpanAttributes.tier", 0.2857, []store.DeltaValue{{Value: "gold", Selection: 0, Background: 0.2857}}},
	} {
		f, ok := byName[tc.field]
		if !ok {
			t.Errorf("field %s missing (fields %v)", tc.field, dr.Fields)
			continue
		}
		if f.Score != tc.score || !equalDeltaValues(f.Values, tc.values) {
			t.Errorf("%s: score %v values %+v, want %v %+v", tc.field, f.Score, f.Values, tc.score, tc.values)
		}
	}
	if _, ok := byName["StatusMessage"]; ok {
		t.Error("StatusMessage (no values) listed")
	}
	if dr.Fields[0].Score != 1 || dr.Fields[len(dr.Fields)-1].Score > dr.Fields[0].Score {
		t.Errorf("fields not by score: %+v", dr.Fields)
	}
	selEnd := base.Add(2 * time.Second)
	dr, err = s.Deltas(ctx, store.DeltaParams{Scope: sc, SelEnd: &selEnd, MaxRows: 1000, MaxValues: 10})
	if err != nil {
		t.Fatal(err)
	}
	if dr.SelectionCount != 2 || dr.BackgroundCount != 8 {
		t.Errorf("time selection counts %d/%d, want 2/8", dr.SelectionCount, dr.BackgroundCount)
	}
	if _, err := s.Deltas(ctx, store.DeltaParams{Scope: sc, MaxRows: 10, MaxValues: 10}); err == nil {
		t.Error("an unbounded selection was accepted")
	}
}

func equalDeltaValues(a, b []store.DeltaValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// testFacets: exact top values, distinct counts and "more" per field, and
// the most frequent attribute keys.
func testFacets(t *testing.T, st store.Store) {
	s := st.(analyzer)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	analysisSpans(t, st, base)
	sc := store.Scope{Source: &schema.TracesSource, Start: base, End: base.Add(time.Hour)}
	fr, err := s.Facets(ctx, store.FacetParams{Scope: sc,
		Fields: []string{"ServiceName", "SpanAttributes['tier']", "SpanAttributes['region']"},
		Names:  []string{"service", "tier", "region"}, Limit: 1, MaxRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Facet{
		{Field: "service", Values: []store.Value{{Value: "fast", Count: 7}}, Distinct: 2, More: true},
		{Field: "tier", Values: []store.Value{{Value: "gold", Count: 2}}, Distinct: 1},
		{Field: "region", Values: []store.Value{{Value: "us", Count: 7}}, Distinct: 2, More: true},
	}
	if fr.RowsScanned != 10 || fr.Sampled || len(fr.Facets) != len(want) {
		t.Fatalf("facets %+v", fr)
	}
	for i, w := range want {
		g := fr.Facets[i]
		if g.Field != w.Field || g.Distinct != w.Distinct || g.More != w.More || len(g.Values) != len(w.Values) || g.Values[0] != w.Values[0] {
			t.Errorf("facet %d: %+v, want %+v", i, g, w)
		}
	}
	keys, err := s.TopAttributeKeys(ctx, sc, 1000, 3)
	if err != nil {
		t.Fatal(err)
	}
	// region and service.name are on every row; SpanAttributes before
	// ResourceAttributes at equal counts; then tier.
	if len(keys) != 3 || keys[0] != "SpanAttributes.region" || keys[1] != "ResourceAttributes.service.name" || keys[2] != "SpanAttributes.tier" {
		t.Errorf("top keys %v", keys)
	}
}
