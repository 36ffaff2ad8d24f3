package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

// Values lists the most frequent values of p.Field among at most
// p.RowBudget rows (per table) of [p.Start, p.End): see query.PlanValues.
// For the metrics source the three metric tables are read and merged, and
// each value carries the metric type it was seen in (for MetricName, the
// type of the metric).
func (s *Store) Values(ctx context.Context, p store.ValuesParams) ([]store.Value, error) {
	stmts, err := query.PlanValues(p.Source, p.Field, p.Prefix, p.Start, p.End, p.RowBudget, p.Limit, s.dialect)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
	}
	limit := p.Limit
	if limit <= 0 {
		limit = query.DefaultValuesLimit
	}
	var out []store.Value
	for _, st := range stmts {
		err := s.runChartQuery(ctx, st.Query, p.Start, p.End, func(row []any) error {
			v, _ := row[0].(string)
			n, _ := row[1].(float64)
			out = append(out, store.Value{Value: v, Count: int64(n), Type: st.MetricType})
			return nil
		})
		if err != nil {
			return nil, readErr(fmt.Errorf("values of %s: %w", p.Field, err))
		}
	}
	if len(stmts) > 1 {
		pre := strings.ToLower(p.Prefix)
		slices.SortStableFunc(out, func(a, b store.Value) int {
			ap, bp := strings.HasPrefix(strings.ToLower(a.Value), pre), strings.HasPrefix(strings.ToLower(b.Value), pre)
			switch {
			case ap != bp && ap:
				return -1
			case ap != bp:
				return 1
			case a.Count != b.Count:
				if a.Count > b.Count {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Value, b.Value)
		})
		if len(out) > limit {
			out = out[:limit]
		}
	}
	if out == nil {
		out = []store.Value{}
	}
	return out, nil
}
