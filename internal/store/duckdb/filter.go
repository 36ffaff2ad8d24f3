package duckdb

import (
	"fmt"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// compileFilter renders a filter AST as a DuckDB WHERE fragment with ?
// placeholders. Compile errors (unknown field, ill-typed expression) are
// the caller's: they wrap store.ErrInvalidArgument and the query error.
func (s *Store) compileFilter(n query.Node, src *schema.Source) (string, []any, error) {
	where, args, err := query.Compile(n, src, s.dialect)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %w", store.ErrInvalidArgument, err)
	}
	return where, args, nil
}
