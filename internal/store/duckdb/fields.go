package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// DefaultFieldsRowBudget is how many rows Fields scans when the caller
// passes zero.
const DefaultFieldsRowBudget = 100_000

// fieldType names a logical type in the API's vocabulary.
func fieldType(t schema.Type) string {
	switch t {
	case schema.String:
		return "string"
	case schema.Int32, schema.UInt8, schema.UInt32, schema.UInt64, schema.Float64:
		return "number"
	case schema.Bool:
		return "bool"
	case schema.Timestamp, schema.Seconds:
		return "timestamp"
	case schema.Map:
		return "map"
	}
	return "array"
}

// Fields lists the source table's columns (Nested sub-columns as
// "Events.Name", typed "array") and every key of the source's map columns
// seen in the newest p.RowBudget rows (zero: 100000) of [p.Start, p.End),
// as "MapColumn.key" typed "string" (map values are strings). Sorted by
// name. The scan is bounded by the time range and the row budget; it never
// reads the whole table.
func (s *Store) Fields(ctx context.Context, p store.FieldsParams) ([]store.Field, error) {
	if err := checkRange(p.Source, p.Start, p.End); err != nil {
		return nil, err
	}
	t := p.Source.Table
	var out []store.Field
	for _, c := range t.Columns {
		if c.Type == schema.Nested {
			for _, f := range c.Fields {
				out = append(out, store.Field{Name: c.Name + "." + f.Name, Type: "array"})
			}
			continue
		}
		out = append(out, store.Field{Name: c.Name, Type: fieldType(c.Type)})
	}
	var maps []string
	for _, m := range p.Source.MapColumns {
		if c, ok := t.Column(m); ok && c.Type == schema.Map && !strings.Contains(m, ".") {
			maps = append(maps, m)
		}
	}
	if len(maps) > 0 {
		budget := p.RowBudget
		if budget <= 0 {
			budget = DefaultFieldsRowBudget
		}
		keys, err := s.mapKeys(ctx, t, maps, p, budget)
		if err != nil {
			return nil, err
		}
		out = append(out, keys...)
	}
	slices.SortFunc(out, func(a, b store.Field) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(out, func(a, b store.Field) bool { return a.Name == b.Name }), nil
}

func (s *Store) mapKeys(ctx context.Context, t *schema.Table, maps []string, p store.FieldsParams, budget int) ([]store.Field, error) {
	tc := quoteIdent(t.TimeColumn)
	sel := make([]string, len(maps))
	parts := make([]string, len(maps))
	for i, m := range maps {
		sel[i] = fmt.Sprintf("%s AS m%d", quoteIdent(m), i)
		parts[i] = fmt.Sprintf("SELECT %d AS i, unnest(map_keys(m%d)) AS k FROM s", i, i)
	}
	q := fmt.Sprintf("WITH s AS (SELECT %s FROM %s WHERE %s >= ? AND %s < ? ORDER BY %s DESC LIMIT %d) "+
		"SELECT DISTINCT i, k FROM (%s)",
		strings.Join(sel, ", "), quoteIdent(t.Name), tc, tc, tc, budget, strings.Join(parts, " UNION ALL "))
	rs, err := s.db.QueryContext(ctx, q, clampTime(p.Start), clampTime(p.End))
	if err != nil {
		return nil, fmt.Errorf("fields %s: %w", t.Name, err)
	}
	defer rs.Close()
	var out []store.Field
	for rs.Next() {
		var i int
		var k string
		if err := rs.Scan(&i, &k); err != nil {
			return nil, fmt.Errorf("fields %s: %w", t.Name, err)
		}
		out = append(out, store.Field{Name: maps[i] + "." + k, Type: "string"})
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("fields %s: %w", t.Name, err)
	}
	return out, nil
}
