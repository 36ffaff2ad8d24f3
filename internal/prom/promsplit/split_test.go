package promsplit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"
)

// load is 2 h of samples every 15 s: counters with resets and a gap,
// a series that starts late and one that ends early (with a stale marker),
// and a native histogram.
const load = `
load 15s
  x_total{job="a", pod="1"} 0+10x200 0+10x279
  x_total{job="a", pod="2"} _x100 0+3x379
  x_total{job="b", pod="3"} 0+1x150 stale
  x_total{job="b", pod="4"} 0+2x200 _x40 400+2x239
  g{job="a"} 1+0.5x479
  h{job="a"} {{schema:0 sum:1 count:2 buckets:[1 1]}}+{{schema:0 sum:3 count:4 buckets:[2 2]}}x479
`

// testParser parses as promqltest's engine does (duration expressions).
var testParser = parser.NewParser(promqltest.TestParserOpts)

// TestSplitEqualsWhole evaluates range queries whole and in parts (2, 3
// and 7, down to two steps per part) and requires identical answers:
// series, points, annotations and errors.
func TestSplitEqualsWhole(t *testing.T) {
	st := promqltest.LoadedStorage(t, load)
	ng := promqltest.NewTestEngine(t, false, 0, promqltest.DefaultMaxSamplesPerQuery)
	base := time.Unix(0, 0)
	queries := []string{
		`sum by (job) (rate(x_total[5m]))`,
		`rate(x_total[1m])`,
		`increase(x_total[10m])`,
		`x_total`,
		`x_total offset 7m`,
		`x_total offset -3m`,
		`max_over_time(g[20m])`,
		`avg_over_time(rate(x_total[2m])[10m:1m])`,
		`deriv(g[10m])`,
		`histogram_quantile(0.9, h)`,
		`histogram_count(rate(h[5m]))`,
		`sum(x_total) / count(x_total)`,
		`timestamp(g)`,
		`time()`,
		`absent(nope)`,
		`absent_over_time(x_total{pod="3"}[5m])`,
		`label_replace(x_total, "pod", "p", "", "")`, // duplicate series: an error
		`topk(1, x_total)`,
		`x_total @ 3600`,
		`x_total @ start()`,
		`rate(x_total[5m] @ end())`,
		`resets(x_total[30m])`,
		`rate(g[5m])`,   // not a counter: an info annotation
		`sort(x_total)`, // a warning for range queries
		`step()`,
		`g * step()`,
		`start()`,
		`end() - time()`,
		`range()`,
		`count_over_time(g[range()])`,
		`g offset range()`,
		`g offset min_of(range(), 8s)`,
		`max_over_time(g[step() * 3])`,
	}
	for _, qs := range queries {
		for _, rng := range []struct {
			start, end time.Duration
			step       time.Duration
		}{
			{0, 2 * time.Hour, time.Minute},
			{7 * time.Minute, 119*time.Minute + 30*time.Second, 45 * time.Second},
			{30 * time.Minute, 31 * time.Minute, 20 * time.Second},
			{60 * time.Minute, 62 * time.Minute, 30 * time.Second},
			// Times and steps off the millisecond grid: the engine
			// truncates start and end to milliseconds.
			{10*time.Minute + 900*time.Microsecond, 40*time.Minute + 100*time.Microsecond, 10 * time.Second},
			{5*time.Minute + 300*time.Microsecond, 20 * time.Minute, 7*time.Second + 500*time.Microsecond},
		} {
			start, end := base.Add(rng.start), base.Add(rng.end)
			want := exec(t, ng, st, qs, start, end, rng.step)
			for _, parts := range []int{2, 3, 7} {
				name := fmt.Sprintf("%s/%v-%v-step%v/parts%d", qs, rng.start, rng.end, rng.step, parts)
				t.Run(name, func(t *testing.T) {
					e := New(ng, Options{MaxParts: parts, MinStepsPerPart: 2, Parser: testParser})
					got := exec(t, e, st, qs, start, end, rng.step)
					if got != want {
						t.Errorf("split:\n%s\nwhole:\n%s", got, want)
					}
				})
			}
		}
	}
}

// TestSplitParts checks when a query is split, and into how many parts.
func TestSplitParts(t *testing.T) {
	st := promqltest.LoadedStorage(t, load)
	ng := promqltest.NewTestEngine(t, false, 0, promqltest.DefaultMaxSamplesPerQuery)
	e := New(ng, Options{MaxParts: 4, MinStepsPerPart: 10, Parser: testParser})
	for _, tc := range []struct {
		qs    string
		steps int
		opts  promql.QueryOpts
		want  int // parts; 0: not split
	}{
		{`x_total`, 9, nil, 0},
		{`x_total`, 20, nil, 2},
		{`x_total`, 39, nil, 3},
		{`x_total`, 400, nil, 4},
		{`x_total @ start()`, 400, nil, 0},
		{`max_over_time(x_total[5m:1m] @ end())`, 400, nil, 0},
		{`x_total - start()`, 400, nil, 0},
		{`end()`, 400, nil, 0},
		{`count_over_time(x_total[range()])`, 400, nil, 0},
		{`x_total offset (range() / 2)`, 400, nil, 0},
		{`max_over_time(x_total[1h:min_of(range(), 1m)])`, 400, nil, 0},
		{`x_total * step()`, 400, nil, 4},
		{`x_total`, 400, promql.NewPrometheusQueryOpts(true, 0), 0},
	} {
		q, err := e.NewRangeQuery(context.Background(), st, tc.opts, tc.qs, time.Unix(0, 0),
			time.Unix(0, 0).Add(time.Duration(tc.steps-1)*time.Second), time.Second)
		if err != nil {
			t.Fatalf("%s: %v", tc.qs, err)
		}
		got := 0
		if sq, ok := q.(*splitQuery); ok {
			got = len(sq.parts)
			// The parts cover the steps once, in order.
			next := time.Unix(0, 0)
			for _, p := range sq.parts {
				es := p.Statement().(*parser.EvalStmt)
				if !es.Start.Equal(next) || es.End.Before(es.Start) || es.Interval != time.Second {
					t.Errorf("%s: part %v–%v step %v, want one from %v", tc.qs, es.Start, es.End, es.Interval, next)
				}
				next = es.End.Add(time.Second)
			}
			if want := time.Unix(int64(tc.steps), 0); !next.Equal(want) {
				t.Errorf("%s: the parts end at %v, want %v", tc.qs, next.Add(-time.Second), want.Add(-time.Second))
			}
		}
		q.Close()
		if got != tc.want {
			t.Errorf("%s over %d steps: %d parts, want %d", tc.qs, tc.steps, got, tc.want)
		}
	}
}

// TestSplitCancelled: a cancelled context fails the split query with the
// context's error, without evaluating it again whole.
func TestSplitCancelled(t *testing.T) {
	st := promqltest.LoadedStorage(t, load)
	ng := promqltest.NewTestEngine(t, false, 0, promqltest.DefaultMaxSamplesPerQuery)
	e := New(ng, Options{MaxParts: 3, MinStepsPerPart: 2, Parser: testParser})
	ctx, cancel := context.WithCancel(context.Background())
	q, err := e.NewRangeQuery(ctx, st, nil, `rate(x_total[5m])`, time.Unix(0, 0), time.Unix(7200, 0), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	cancel()
	res := q.Exec(ctx)
	var canceled promql.ErrQueryCanceled
	if !errors.As(res.Err, &canceled) && !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("error %v, want a cancellation", res.Err)
	}
	if q.(*splitQuery).whole {
		t.Error("the cancelled query was evaluated again whole")
	}
}

// exec runs a range query and renders its answer (or error) with its
// annotations.
func exec(t *testing.T, ng promql.QueryEngine, st storage.Queryable, qs string, start, end time.Time, step time.Duration) string {
	t.Helper()
	q, err := ng.NewRangeQuery(context.Background(), st, nil, qs, start, end, step)
	if err != nil {
		return "new query: " + err.Error()
	}
	defer q.Close()
	res := q.Exec(context.Background())
	warns, infos := res.Warnings.AsStrings(qs, 0, 0)
	slices.Sort(warns)
	slices.Sort(infos)
	out := "warnings: " + strings.Join(warns, "; ") + "\ninfos: " + strings.Join(infos, "; ") + "\n"
	if res.Err != nil {
		return out + "error: " + res.Err.Error()
	}
	return out + res.Value.String()
}

// TestSplitTimeout: a part that times out fails the split query with the
// engine's timeout error, without evaluating it again whole (which would
// take as long again).
func TestSplitTimeout(t *testing.T) {
	st := promqltest.LoadedStorage(t, load)
	ng := promql.NewEngine(promql.EngineOpts{MaxSamples: 1_000_000, Timeout: time.Nanosecond, Parser: testParser})
	t.Cleanup(func() { _ = ng.Close() })
	e := New(ng, Options{MaxParts: 3, MinStepsPerPart: 2})
	q, err := e.NewRangeQuery(context.Background(), st, nil, `rate(x_total[5m])`, time.Unix(0, 0), time.Unix(7200, 0), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	res := q.Exec(context.Background())
	var timeout promql.ErrQueryTimeout
	if !errors.As(res.Err, &timeout) {
		t.Fatalf("error %v, want a timeout", res.Err)
	}
	if q.(*splitQuery).whole {
		t.Error("the query that timed out was evaluated again whole")
	}
}
