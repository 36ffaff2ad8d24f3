package store

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

func TestDeltaCollector(t *testing.T) {
	p := DeltaParams{MaxRows: 10, MaxValues: 2}
	var c DeltaCollector
	// svc: two values over every row of each side; id: three unique
	// values (more than MaxValues and more than half the 8 rows read: left
	// out); env: on half the selection's rows only.
	c.Add("svc", "a", 0.75, 0.25, 2, 1.0, 1, 1)
	c.Add("svc", "b", 0.25, 0.75, 2, 1.0, 1, 1)
	c.Add("id", "x", 0.5, 0, 5, 1.0, 1, 1)
	c.Add("env", "prod", 0.5, 0, 1, 0.5, 0.5, 0)
	out := DeltaResult{SelectionCount: 4, BackgroundCount: 4, Fields: []DeltaField{}}
	c.Finish(&out, p)
	var names []string
	for _, f := range out.Fields {
		names = append(names, f.Field)
	}
	// env: (0.5 + |0.5 - 1|) / 2 = 0.5; svc: 1.0 / 2 = 0.5; equal scores
	// order by name.
	if want := []string{"env", "svc"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("fields %v, want %v", names, want)
	}
	if out.Fields[0].Score != 0.5 || out.Fields[1].Score != 0.5 || len(out.Fields[1].Values) != 2 {
		t.Fatalf("fields %+v", out.Fields)
	}
	if got := round4(1.0 / 3); got != 0.3333 {
		t.Fatalf("round4(1/3) = %v", got)
	}
}

func TestAnalysisChecks(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	traces := Scope{Source: &schema.TracesSource, Start: t0, End: t0.Add(time.Hour)}
	logs := Scope{Source: &schema.LogsSource, Start: t0, End: t0.Add(time.Hour)}
	d := int64(5)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"scope ok", traces.Check(), ""},
		{"no source", Scope{Start: t0, End: t0.Add(1)}.Check(), "unknown source"},
		{"made-up table", Scope{Source: &schema.Source{Table: &schema.Table{Name: "x"}}, Start: t0, End: t0.Add(1)}.Check(), "unknown source"},
		{"no range", Scope{Source: &schema.LogsSource}.Check(), "a time range (start and end) is required"},
		{"empty range", Scope{Source: &schema.LogsSource, Start: t0, End: t0}.Check(), "is not before end"},
		{"deltas ok", DeltaParams{Scope: traces, DurationMin: &d, MaxRows: 1, MaxValues: 1}.Check(), ""},
		{"deltas budget", DeltaParams{Scope: traces, DurationMin: &d}.Check(), "maxRows and maxValues must be positive"},
		{"deltas duration on logs", DeltaParams{Scope: logs, DurationMin: &d, MaxRows: 1, MaxValues: 1}.Check(), "needs source traces"},
		{"deltas everything", DeltaParams{Scope: traces, MaxRows: 1, MaxValues: 1}.Check(), "the selection is everything"},
		{"step", PatternCountParams{Scope: logs}.Check(), "step must be positive"},
		{"facets", FacetParams{Scope: logs, Fields: []string{"a"}, Limit: 1, MaxRows: 1}.Check(), "facets need fields"},
		{"sample rows", CheckSampleRows(0), "maxRows must be positive"},
		{"top keys", CheckTopKeys(1, 0), "maxRows and limit must be positive"},
	}
	for _, tt := range tests {
		if tt.want == "" {
			if tt.err != nil {
				t.Errorf("%s: %v", tt.name, tt.err)
			}
			continue
		}
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) || !errors.Is(tt.err, ErrInvalidArgument) {
			t.Errorf("%s: %v, want %q (ErrInvalidArgument)", tt.name, tt.err, tt.want)
		}
	}
	if got := len(RowsAtTimes(make([]time.Time, MaxRowsAt+1))); got != MaxRowsAt {
		t.Errorf("RowsAtTimes kept %d", got)
	}
}

func TestPatternTallyAndFacets(t *testing.T) {
	tally := NewPatternTally(2)
	svc := "api"
	tally.Add(0, 100, &svc, 3, 1)
	tally.Add(0, 200, nil, 2, 0)
	tally.Add(-1, 100, &svc, 4, 0) // no pattern
	tally.Add(2, 100, &svc, 1, 0)  // out of range
	if tally.Scanned != 10 {
		t.Errorf("scanned %d, want 10", tally.Scanned)
	}
	want := []PatternCount{
		{Count: 5, Errors: 1, Services: map[string]int64{"api": 3}, Buckets: map[int64]int64{100: 3, 200: 2}},
		{Services: map[string]int64{}, Buckets: map[int64]int64{}},
	}
	if !reflect.DeepEqual(tally.Counts, want) {
		t.Errorf("counts %+v, want %+v", tally.Counts, want)
	}

	p := FacetParams{Fields: []string{"ServiceName", "SpanName"}, Names: []string{"service", "span"}, Limit: 1, MaxRows: 10}
	r := NewFacetResult(p)
	r.Add(p, 0, "api", 7, 2)
	r.SetScanned(p, 12)
	wantR := FacetResult{Facets: []Facet{
		{Field: "service", Values: []Value{{Value: "api", Count: 7}}, Distinct: 2, More: true},
		{Field: "span", Values: []Value{}},
	}, RowsScanned: 10, Sampled: true}
	if !reflect.DeepEqual(r, wantR) {
		t.Errorf("facets %+v, want %+v", r, wantR)
	}
}

func TestDeltaSelection(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lo, hi := int64(-5), int64(9)
	end := t0.Add(time.Hour)
	bound := func(tm time.Time) time.Time { return tm.Add(time.Second) }
	tests := []struct {
		name     string
		p        DeltaParams
		min      int64
		want     string
		wantArgs []any
	}{
		{"durations", DeltaParams{DurationMin: &lo, DurationMax: &hi}, 0, "(D >= ? AND D <= ?)", []any{int64(0), int64(9)}},
		{"unbounded minimum", DeltaParams{DurationMin: &lo}, math.MinInt64, "(D >= ?)", []any{int64(-5)}},
		{"times", DeltaParams{SelStart: &t0, SelEnd: &end}, 0, "(T >= ? AND T < ?)", []any{t0.Add(time.Second), end.Add(time.Second)}},
	}
	for _, tt := range tests {
		got, args := tt.p.Selection("D", "T", bound, tt.min)
		if got != tt.want || !reflect.DeepEqual(args, tt.wantArgs) {
			t.Errorf("%s: %q %v, want %q %v", tt.name, got, args, tt.want, tt.wantArgs)
		}
	}
}
