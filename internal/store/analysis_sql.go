package store

import (
	"fmt"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
)

// The SQL pieces of the analysis and session reads that every backend
// renders alike; what differs (quoting, time bounds, the filter's dialect)
// is passed in.

// FilterCompiler compiles a filter over a source into a WHERE body and its
// arguments, in a backend's dialect.
type FilterCompiler func(n query.Node, src *schema.Source) (string, []any, error)

// AndFilter appends to the WHERE body where (and args) filter n over src,
// as compile renders it: nothing for a nil filter or one that compiles to
// nothing. compile's error is returned as it is.
func AndFilter(where string, args []any, n query.Node, src *schema.Source, compile FilterCompiler) (string, []any, error) {
	if n == nil {
		return where, args, nil
	}
	fw, fargs, err := compile(n, src)
	if err != nil {
		return "", nil, err
	}
	if fw != "" {
		where += " AND (" + fw + ")"
		args = append(args, fargs...)
	}
	return where, args, nil
}

// FacetExprs compiles the fields of p in dialect d, each as "(expr) AS
// f<i>", and their arguments in order.
func FacetExprs(p FacetParams, d query.Dialect) ([]string, []any, error) {
	exprs := make([]string, len(p.Fields))
	var args []any
	for i, f := range p.Fields {
		e, a, err := query.CompileValue(f, p.Source, d)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: field %q: %w", ErrInvalidArgument, p.Names[i], err)
		}
		exprs[i] = fmt.Sprintf("(%s) AS f%d", e, i)
		args = append(args, a...)
	}
	return exprs, args, nil
}
