package duckdb

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

// TestCountChartMatchesSQL: a count chart (ungrouped or by ServiceName,
// minute buckets or one value) answered from the parts' per-minute
// counts for the parts wholly inside the range and by SQL for the rest
// equals the SQL answer over every part, for ranges cutting parts.
func TestCountChartMatchesSQL(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	ids := make([]pcommon.TraceID, 30)
	for i := range ids {
		ids[i] = pcommon.TraceID{byte(i + 1), 7}
	}
	s, err := Open(Config{Dir: t.TempDir(), Parts: PartsConfig{PartRows: 400, MergeRows: 3000, FlushInterval: time.Hour}}, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Now().UTC().Add(-4 * time.Hour).Truncate(time.Hour)
	for round := range 10 {
		at := base.Add(time.Duration(round) * 15 * time.Minute)
		if err := s.InsertTraces(ctx, randomTraces(rng, ids, 300+rng.IntN(300), at, 40*time.Minute)); err != nil {
			t.Fatal(err)
		}
		ld := plog.NewLogs()
		for range 3 {
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr("service.name", []string{"a", "b", ""}[rng.IntN(3)])
			sl := rl.ScopeLogs().AppendEmpty()
			for range 100 {
				lr := sl.LogRecords().AppendEmpty()
				lr.SetTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Duration(rng.Int64N(int64(40 * time.Minute))))))
				lr.Body().SetStr("x")
				lr.SetSeverityText([]string{"INFO", "WARN", "ERROR", ""}[rng.IntN(4)])
			}
		}
		if err := s.InsertLogs(ctx, ld); err != nil {
			t.Fatal(err)
		}
		if round%4 == 0 { // a read cuts the head: parts of several sizes
			if _, err := s.Trace(ctx, ids[0].String()); err != nil {
				t.Fatal(err)
			}
		}
	}
	ranges := [][2]time.Time{
		{base.Add(-time.Hour), base.Add(5 * time.Hour)},                          // everything: every part whole
		{base.Add(37*time.Minute + 13*time.Second), base.Add(133 * time.Minute)}, // cuts parts
		{base.Add(2 * time.Hour), base.Add(2*time.Hour + 90*time.Second)},        // inside parts only
	}
	counted := 0
	for _, src := range []string{"traces", "logs"} {
		level := "StatusCode"
		if src == "logs" {
			level = "SeverityText"
		}
		for _, gb := range []query.GroupByList{nil, {"ServiceName"}, {level}, {level, "ServiceName"}, {"ServiceName", level}, {"SpanName"}} {
			for _, disp := range []struct{ display, gran string }{{"table", ""}, {"number", ""}, {"line", "1 minute"}, {"line", "5 minute"}, {"line", "auto"}} {
				for ri, r := range ranges {
					req := &query.ChartRequest{Source: src, Select: []query.ChartSelect{{AggFn: "count"}}, GroupBy: gb,
						DisplayType: disp.display, Granularity: disp.gran, Limit: 100}
					plan, err := query.PlanChart(req, r[0], r[1], s.dialect)
					if err != nil {
						continue // not a valid chart (number grouped)
					}
					if _, _, step, ok := plan.CountShape(); ok && step%time.Minute == 0 {
						counted++
					}
					s.noCountIndex = false
					got, err := s.Chart(ctx, store.ChartParams{Request: req, Start: r[0], End: r[1]})
					if err != nil {
						t.Fatal(err)
					}
					s.noCountIndex = true
					want, err := s.Chart(ctx, store.ChartParams{Request: req, Start: r[0], End: r[1]})
					if err != nil {
						t.Fatal(err)
					}
					got.Meta.Rows = want.Meta.Rows // the pre-counted rows are rows too
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s by %v %s %s range %d:\n got %+v\nwant %+v", src, gb, disp.display, disp.gran, ri, got, want)
					}
				}
			}
		}
	}
	if counted == 0 {
		t.Fatal("no chart took the counts path")
	}
	// Merged parts' counts: parts.TestPartCounts (merges here run when
	// the background merger gets to them).
	if st := s.partTraces.t.Stats(); st.Parts < 3 {
		t.Errorf("want several parts: %+v", st)
	}
}
