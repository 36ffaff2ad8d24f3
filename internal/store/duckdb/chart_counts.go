package duckdb

import (
	"context"
	"fmt"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
)

// countChart returns, for a chart that is a plain count of spans or log
// records, ungrouped or by ServiceName and/or the level (StatusCode,
// SeverityText), with buckets of whole minutes
// (query.ChartPlan.CountShape), the function that answers its statement:
// the parts lying wholly inside [start, end) with per-minute counts in
// their index (parts.PartMeta.Counts) are not read, their counts are
// handed to the chart as rows; the statement runs over the other parts
// (and the old DuckDB table's rows). Nil for any other chart, or with
// the DuckDB layout. TestCountChartMatchesSQL holds the answer equal to
// the statement's over all the data.
func (s *Store) countChart(plan *query.ChartPlan, start, end time.Time) func(context.Context, query.ChartQuery, func([]any) error) error {
	src, groups, step, ok := plan.CountShape()
	if !ok || s.noCountIndex || step%time.Minute != 0 {
		return nil
	}
	t := &schema.Traces
	if src == "logs" {
		t = &schema.Logs
	}
	sp := s.partsOf(t)
	if sp == nil {
		return nil
	}
	return func(ctx context.Context, q query.ChartQuery, fn func([]any) error) error {
		sn, err := sp.t.Snapshot(ctx, clampTime(start), clampTime(end))
		if err != nil {
			return fmt.Errorf("read the parts of %s: %w", t.Name, err)
		}
		defer sn.Release()
		lo, hi := start.UnixNano(), end.UnixNano()
		type cell struct {
			bucket int64
			g      [2]string // the group values, in the chart's order
		}
		counts := map[cell]int64{}
		var rest []string
		for i, m := range sn.Metas {
			if !m.CountsKept || m.MinTimestamp < lo || m.MaxTimestamp >= hi {
				rest = append(rest, sn.Files[i])
				continue
			}
			for _, c := range m.Counts {
				k := cell{}
				if step > 0 {
					ns := c.Minute * int64(time.Minute)
					k.bucket = ns / int64(step) * int64(step) // buckets: epoch_ns // step * step
				}
				for i, g := range groups {
					if g == "ServiceName" {
						k.g[i] = c.Service
					} else {
						k.g[i] = c.Level
					}
				}
				counts[k] += c.N
			}
		}
		// The rest through the statement, over only those parts.
		sqlText := withCTEs(q.SQL, []string{sp.cte(rest)})
		if err := s.scanChartRows(ctx, q, sqlText, fn); err != nil {
			return err
		}
		row := make([]any, 0, 4)
		for k, n := range counts {
			row = append(row[:0], k.bucket)
			for i := range groups {
				row = append(row, k.g[i])
			}
			if err := fn(append(row, float64(n))); err != nil {
				return err
			}
		}
		return nil
	}
}
