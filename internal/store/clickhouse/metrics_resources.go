package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

var _ store.MetricResourceReader = (*Store)(nil)

// MetricResources returns the distinct ResourceAttributes of the metric
// points in [start, end] over all metrics tables, each with the time of
// its last point in every minute it has points (Prometheus's
// target_info), sorted by their attributes — as the DuckDB store answers.
func (s *Store) MetricResources(ctx context.Context, start, end time.Time) ([]store.MetricResource, error) {
	var parts []string
	var args []any
	for _, k := range metricKinds {
		t := metricTables[k]
		if s.columns[t.Name] == nil {
			continue
		}
		parts = append(parts, "SELECT ResourceAttributes, toUnixTimestamp64Nano(TimeUnix) AS ns FROM "+s.table(t.Name)+" WHERE TimeUnix >= ? AND TimeUnix <= ?")
		args = append(args, clamp(start), clamp(end))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	q := "SELECT ResourceAttributes, max(ns) AS t FROM (" + strings.Join(parts, " UNION ALL ") +
		") GROUP BY ResourceAttributes, intDiv(ns, 60000000000) ORDER BY t"
	byKey := map[string]*store.MetricResource{}
	err := s.scan(ctx, q, args, func(_ []string, v []any) error {
		attrs := v[0].(map[string]string)
		key := attrsKey(attrs)
		r := byKey[key]
		if r == nil {
			r = &store.MetricResource{Attributes: attrs}
			byKey[key] = r
		}
		r.Times = append(r.Times, time.Unix(0, v[1].(int64)).UTC())
		return nil
	})
	if err != nil {
		return nil, readErr(fmt.Errorf("read metric resources: %w", err))
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
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%q=%q,", k, attrs[k])
	}
	return b.String()
}
