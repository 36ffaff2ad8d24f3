package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/overlook-dev/overlook/internal/store"
)

var _ store.MetricResourceReader = (*Store)(nil)

// MetricResources returns the distinct ResourceAttributes of the metric
// points in [start, end] over all metrics tables, each with the time of its
// last point in every minute it has points; see store.MetricResourceReader.
// Resources come sorted by their attributes.
func (s *Store) MetricResources(ctx context.Context, start, end time.Time) ([]store.MetricResource, error) {
	parts := make([]string, len(metricsTables))
	args := make([]any, 0, 2*len(metricsTables))
	for i, t := range metricsTables {
		parts[i] = "SELECT ResourceAttributes, TimeUnix FROM " + quoteIdent(t.Name) + " WHERE TimeUnix BETWEEN ? AND ?"
		args = append(args, start.UTC(), end.UTC())
	}
	q := `SELECT ResourceAttributes, max(TimeUnix) AS t FROM (` + strings.Join(parts, " UNION ALL ") + `)
	GROUP BY ResourceAttributes, epoch_ns(TimeUnix) // 60000000000 ORDER BY t`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read metric resources: %w", err)
	}
	defer rows.Close()
	byKey := map[string]*store.MetricResource{}
	for rows.Next() {
		var (
			m duckdb.Map
			t time.Time
		)
		if err := rows.Scan(&m, &t); err != nil {
			return nil, fmt.Errorf("read metric resources: %w", err)
		}
		attrs := make(map[string]string, len(m))
		for k, v := range m {
			ks, _ := k.(string)
			vs, _ := v.(string)
			attrs[ks] = vs
		}
		key := attrsKey(attrs)
		r := byKey[key]
		if r == nil {
			r = &store.MetricResource{Attributes: attrs}
			byKey[key] = r
		}
		r.Times = append(r.Times, t.UTC())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read metric resources: %w", err)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]store.MetricResource, len(keys))
	for i, k := range keys {
		out[i] = *byKey[k]
	}
	return out, nil
}

// attrsKey is a canonical string of an attribute set.
func attrsKey(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%q=%q,", k, attrs[k])
	}
	return b.String()
}
