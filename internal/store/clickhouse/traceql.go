package clickhouse

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/overlook-dev/overlook/internal/query/traceql"
	"github.com/overlook-dev/overlook/internal/store"
)

var _ store.TraceQLSearcher = (*Store)(nil)

// TraceQL limits (as the DuckDB store's).
const (
	MaxTraceQLLimit  = 10000
	MaxTraceQLSeries = 1000
)

// TraceQLSearch runs a TraceQL search over the spans in [Start, End),
// rendered by traceql.SearchSQL for ClickHouse. Unlike the DuckDB store it
// reads the range in one statement (ClickHouse's primary key and skip
// indexes bound it).
func (s *Store) TraceQLSearch(ctx context.Context, p store.TraceQLSearchParams) ([]store.TraceQLTrace, error) {
	if !p.Start.Before(p.End) {
		return nil, fmt.Errorf("%w: start %s is not before end %s", store.ErrInvalidArgument, p.Start, p.End)
	}
	// No materialised columns: the TraceQL SQL reads spans with SELECT *,
	// which in ClickHouse leaves MATERIALIZED columns out.
	sq, err := traceql.SearchSQL(p.Query, traceql.ClickHouse, traceql.SearchOptions{
		Start: p.Start, End: p.End, Limit: min(max(p.Limit, 1), MaxTraceQLLimit), SpansPerSet: max(p.SpansPerSet, 1),
		MinDuration: p.MinDuration, MaxDuration: p.MaxDuration,
	})
	if err != nil {
		return nil, err
	}
	nsel := len(p.Query.Select)
	var out []store.TraceQLTrace
	err = s.scan(ctx, s.renameTables(sq.Query), sq.Args, func(_ []string, raw []any) error {
		vals := make([]any, len(raw))
		for i, v := range raw {
			vals[i] = rowValue(v)
		}
		r := store.TraceQLRow{TraceID: tqStr(vals[0]), TraceStart: tqI64(vals[1]), TraceEnd: tqI64(vals[2]),
			RootServiceName: tqStr(vals[3]), RootTraceName: tqStr(vals[4]), Group: tqStr(vals[5]), Matched: int(tqI64(vals[6])),
			SpanID: tqStr(vals[8]), SpanStart: tqI64(vals[9]), SpanDuration: tqI64(vals[10]),
			SpanName: tqStr(vals[11]), SpanServiceName: tqStr(vals[12])}
		for i := range nsel {
			r.Selected = append(r.Selected, tqStr(vals[13+i]))
		}
		out = store.AppendTraceQLRow(out, r, len(p.Query.By) > 0)
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("traceql search: %w", err))
	}
	return out, nil
}

// TraceQLMetrics runs a TraceQL metrics query; rate() is per second over
// the step.
func (s *Store) TraceQLMetrics(ctx context.Context, p store.TraceQLMetricsParams) ([]store.TraceQLSeries, error) {
	if !p.Start.Before(p.End) {
		return nil, fmt.Errorf("%w: start %s is not before end %s", store.ErrInvalidArgument, p.Start, p.End)
	}
	sq, err := traceql.MetricsSQL(p.Query, traceql.ClickHouse, traceql.MetricsOptions{Start: p.Start, End: p.End, Step: p.Step})
	if err != nil {
		return nil, err
	}
	m := p.Query.Metrics
	nby, nv := len(m.By), max(len(m.Quantiles), 1)
	index := map[string]int{}
	var out []store.TraceQLSeries
	stepNs := p.Step.Nanoseconds()
	err = s.scan(ctx, s.renameTables(sq.Query), sq.Args, func(_ []string, vals []any) error {
		labels := make([]string, nby)
		for i := range nby {
			labels[i] = tqStr(vals[i])
		}
		ts := tqI64(vals[nby]) * stepNs / 1e6
		for j := range nv {
			key := strings.Join(labels, "\x1f") + fmt.Sprintf("\x1f%d", j)
			k, ok := index[key]
			if !ok {
				if len(out) >= MaxTraceQLSeries {
					return fmt.Errorf("%w: the query makes more than %d series: group by fewer or less varied fields", store.ErrInvalidArgument, MaxTraceQLSeries)
				}
				k = len(out)
				index[key] = k
				sr := store.TraceQLSeries{Labels: labels}
				if len(m.Quantiles) > 0 {
					sr.Quantile = m.Quantiles[j]
				}
				out = append(out, sr)
			}
			v := tqF64(vals[nby+1+j])
			switch {
			case m.Fn == "rate":
				v /= p.Step.Seconds()
			case m.MetricsValueIsDuration():
				v /= 1e9
			}
			out[k].Samples = append(out[k].Samples, store.TraceQLSample{TimeUnixMs: ts, Value: v})
		}
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("traceql metrics: %w", err))
	}
	return out, nil
}

// TraceQLValues lists the most frequent values of a field among the spans
// a TraceQL filter selects.
func (s *Store) TraceQLValues(ctx context.Context, p store.TraceQLValuesParams) ([]store.Value, error) {
	if !p.Start.Before(p.End) {
		return nil, fmt.Errorf("%w: start %s is not before end %s", store.ErrInvalidArgument, p.Start, p.End)
	}
	sq, err := traceql.ValuesSQL(p.Query, p.Field, traceql.ClickHouse, p.Start, p.End, min(max(p.Limit, 1), MaxTraceQLLimit), nil)
	if err != nil {
		return nil, err
	}
	out := []store.Value{}
	err = s.scan(ctx, s.renameTables(sq.Query), sq.Args, func(_ []string, vals []any) error {
		out = append(out, store.Value{Value: tqStr(vals[0]), Count: tqI64(vals[1])})
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("traceql values: %w", err))
	}
	return out, nil
}

func tqStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case *string:
		if x == nil {
			return ""
		}
		return *x
	}
	return fmt.Sprint(v)
}

func tqI64(v any) int64 {
	switch x := toFloatOrInt(rowValue(v)).(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

func tqF64(v any) float64 {
	v = rowValue(v)
	switch x := v.(type) {
	case nil:
		return math.NaN()
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	}
	switch x := toFloatOrInt(v).(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}
