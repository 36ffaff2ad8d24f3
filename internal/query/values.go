package query

import (
	"fmt"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

// Value discovery limits.
const (
	DefaultValuesLimit     = 20
	MaxValuesLimit         = 1000
	DefaultValuesRowBudget = 100_000
	MaxValuesRowBudget     = 10_000_000
)

// ValuesStatement is one statement of value discovery: it returns rows of
// (value string, count float64). MetricType is set for statements over a
// metrics table ("gauge", "sum", "histogram").
type ValuesStatement struct {
	Query      ChartQuery
	MetricType string
}

// PlanValues plans the top values of field (a SQL-mode value expression:
// ServiceName, SpanAttributes['app.payment.card_type'],
// SpanAttributes.http.method, an alias) in source ("logs", "traces" or
// "metrics": one statement per metrics table) over [start, end).
//
// Each statement reads at most budget rows of the range — a LIMIT without
// ORDER BY, which the engines stop early — so discovery never scans more
// than the budget (HyperDX issue #1036); values are then counted within
// that sample. prefix keeps values containing it, case-insensitively;
// values starting with it rank first. Empty values are skipped.
func PlanValues(source, field, prefix string, start, end time.Time, budget, limit int, d Dialect) ([]ValuesStatement, error) {
	if d == nil {
		return nil, fmt.Errorf("query: nil dialect")
	}
	if start.IsZero() || end.IsZero() || !start.Before(end) {
		return nil, &ChartError{Field: "start", Err: fmt.Errorf("a time range with start before end is required")}
	}
	switch {
	case budget == 0:
		budget = DefaultValuesRowBudget
	case budget < 0 || budget > MaxValuesRowBudget:
		return nil, &ChartError{Field: "budget", Err: fmt.Errorf("row budget %d is out of range: use 1 to %d", budget, MaxValuesRowBudget)}
	}
	switch {
	case limit == 0:
		limit = DefaultValuesLimit
	case limit < 0 || limit > MaxValuesLimit:
		return nil, &ChartError{Field: "limit", Err: fmt.Errorf("limit %d is out of range: use 1 to %d", limit, MaxValuesLimit)}
	}
	type tbl struct {
		src   *schema.Source
		mtype string
	}
	var tables []tbl
	switch strings.ToLower(source) {
	case "logs":
		tables = []tbl{{src: &schema.LogsSource}}
	case "traces":
		tables = []tbl{{src: &schema.TracesSource}}
	case "metrics":
		tables = []tbl{{metricsSource(&schema.MetricsGauge), MetricGauge}, {metricsSource(&schema.MetricsSum), MetricSum},
			{metricsSource(&schema.MetricsHistogram), MetricHistogram}}
	default:
		return nil, &ChartError{Field: "source", Err: fmt.Errorf("unknown source %q: use logs, traces or metrics", source)}
	}
	var out []ValuesStatement
	for _, t := range tables {
		expr, args, err := CompileValue(field, t.src, d)
		if err != nil {
			return nil, &ChartError{Field: "field", Err: err}
		}
		r := &renderer{d: d, args: nil}
		v := &bColumn{name: "__v", k: kString}
		r.w("SELECT __v, ")
		d.(chartDialect).agg(r, aggCall{fn: "count"})
		r.w(" AS __n FROM (SELECT " + expr + " AS __v FROM ")
		r.args = append(r.args, args...)
		r.ident(t.src.Table.Name)
		r.w(" WHERE ")
		tc := t.src.Table.TimeColumn
		r.ident(tc)
		r.w(" >= ")
		d.param(r, start.UTC())
		r.w(" AND ")
		r.ident(tc)
		r.w(" < ")
		d.param(r, end.UTC())
		r.w(" LIMIT ")
		d.param(r, int64(budget))
		r.w(") WHERE __v <> ''")
		if prefix != "" {
			r.w(" AND ")
			r.pred(&bLike{x: v, pat: &bParam{v: "%" + escapeLike(prefix) + "%", k: kString}, ci: true})
		}
		r.w(" GROUP BY __v ORDER BY ")
		if prefix != "" {
			r.expr(&bFunc{fn: "startswith", k: kBool, args: []bexpr{
				&bFunc{fn: "lower", k: kString, args: []bexpr{v}}, &bParam{v: strings.ToLower(prefix), k: kString}}})
			r.w(" DESC, ")
		}
		r.w("__n DESC, __v LIMIT ")
		d.param(r, int64(limit))
		out = append(out, ValuesStatement{MetricType: t.mtype,
			Query: ChartQuery{SQL: r.b.String(), Args: r.args, Columns: []ColumnKind{ColString, ColFloat}}})
	}
	return out, nil
}
