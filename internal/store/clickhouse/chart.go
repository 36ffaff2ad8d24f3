package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/store"
)

// Chart plans p in the ClickHouse dialect (query.PlanChart) and runs it.
func (s *Store) Chart(ctx context.Context, p store.ChartParams) (*query.ChartResult, error) {
	if p.Request == nil {
		return nil, fmt.Errorf("%w: no chart request", store.ErrInvalidArgument)
	}
	plan, err := query.PlanChart(p.Request, p.Start, p.End, s.dialect)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
	}
	res, err := plan.Execute(ctx, s.runChartQuery)
	if err != nil {
		var ce *query.ChartError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
		}
		return nil, readErr(fmt.Errorf("chart: %w", err))
	}
	return res, nil
}

// runChartQuery runs one planned statement, converting values to the
// kinds q.Columns names.
func (s *Store) runChartQuery(ctx context.Context, q query.ChartQuery, fn func([]any) error) error {
	row := make([]any, len(q.Columns))
	return s.scan(ctx, s.renameTables(q.SQL), q.Args, func(_ []string, vals []any) error {
		for i, k := range q.Columns {
			row[i] = chartValue(k, rowValue(vals[i]))
		}
		return fn(row)
	})
}

// Values lists the most frequent values of a field (query.PlanValues).
func (s *Store) Values(ctx context.Context, p store.ValuesParams) ([]store.Value, error) {
	stmts, err := query.PlanValues(p.Source, p.Field, p.Prefix, p.Start, p.End, p.RowBudget, p.Limit, s.dialect)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
	}
	limit := p.Limit
	if limit <= 0 {
		limit = query.DefaultValuesLimit
	}
	out := []store.Value{}
	for _, st := range stmts {
		err := s.runChartQuery(ctx, st.Query, func(row []any) error {
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
	return out, nil
}

func chartValue(k query.ColumnKind, v any) any {
	if v == nil {
		return nil
	}
	switch k {
	case query.ColInt:
		switch x := toFloatOrInt(v).(type) {
		case int64:
			return x
		case float64:
			return int64(x)
		}
	case query.ColString:
		if s, ok := v.(string); ok {
			return s
		}
		return fmt.Sprint(v)
	case query.ColFloat:
		switch x := toFloatOrInt(v).(type) {
		case int64:
			return float64(x)
		case float64:
			return x
		}
	case query.ColFloats:
		switch x := v.(type) {
		case []float64:
			return x
		case []uint64:
			out := make([]float64, len(x))
			for i, e := range x {
				out[i] = float64(e)
			}
			return out
		case []int64:
			out := make([]float64, len(x))
			for i, e := range x {
				out[i] = float64(e)
			}
			return out
		}
	}
	return nil
}

func toFloatOrInt(v any) any {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint64:
		return int64(x)
	case uint32:
		return int64(x)
	case uint16:
		return int64(x)
	case uint8:
		return int64(x)
	case float64:
		return x
	case float32:
		return float64(x)
	case *big.Int:
		return x.Int64()
	case big.Int:
		return x.Int64()
	case time.Time:
		return x.UnixNano()
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	}
	return nil
}
