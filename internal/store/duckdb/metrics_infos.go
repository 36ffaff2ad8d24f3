package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/store"
)

// MetricInfos lists the metrics with points in [start, end]: one entry per
// table, MetricName, MetricUnit, ScopeName and (sums, histograms)
// monotonicity and temporality, with any one description. It answers from
// the metric catalogue (see metrics_catalogue.go), and reads the tables
// (sqlMetricInfos) only when the catalogue cannot tell.
func (s *Store) MetricInfos(ctx context.Context, start, end time.Time) ([]store.MetricInfo, error) {
	if start.IsZero() || end.IsZero() {
		return nil, fmt.Errorf("%w: a time range (start and end) is required", store.ErrInvalidArgument)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if infos, ok := s.cat.infos(start.UnixNano(), end.UnixNano()); ok {
		return infos, nil
	}
	return s.sqlMetricInfos(ctx, start, end)
}

// sqlMetricInfos is MetricInfos read from the tables.
//
// Per table, in one snapshot: the series in the range (fingerprint and
// first timestamp, two fixed-width columns), then the metric columns of
// the rows at those first timestamps only. Every series has its first row
// there, and every row there belongs to a metric in the range, so the list
// is exact; grouping every row by its string columns instead decompressed
// them all (≈ 60 ms of a 24 h PromQL query over 5.76M points).
func (s *Store) sqlMetricInfos(ctx context.Context, start, end time.Time) ([]store.MetricInfo, error) {
	type part struct {
		kind       store.MetricKind
		mono, temp string // the monotonic and temporality columns, or constants
	}
	parts := []part{
		{store.MetricGauge, "false", "0::INTEGER"},
		{store.MetricSum, "IsMonotonic", "AggregationTemporality"},
		{store.MetricHistogram, "false", "AggregationTemporality"},
		{store.MetricExpHistogram, "false", "AggregationTemporality"},
		{store.MetricSummary, "false", "0::INTEGER"},
	}
	var out []store.MetricInfo
	err := s.rawRead(ctx, func(r *rawReader) error {
		for _, p := range parts {
			t, _ := metricTable(p.kind)
			firsts, err := firstTimes(r, quoteIdent(t.Name), start, end)
			if err != nil {
				return fmt.Errorf("list metrics of %s: %w", t.Name, err)
			}
			type key struct {
				name, unit, scope string
				mono              bool
				temp              int32
			}
			seen := map[key]bool{}
			for len(firsts) > 0 {
				batch := firsts[:min(len(firsts), maxTimesPerLookup)]
				firsts = firsts[len(batch):]
				q := fmt.Sprintf(`SELECT MetricName, MetricUnit, ScopeName, MetricDescription, %s, %s FROM %s
WHERE TimeUnix >= ? AND TimeUnix <= ? AND epoch_ns(TimeUnix) IN (%s)`,
					p.mono, p.temp, quoteIdent(t.Name), strings.TrimSuffix(strings.Repeat("?, ", len(batch)), ", "))
				args := []any{time.Unix(0, batch[0]), time.Unix(0, batch[len(batch)-1])}
				for _, ns := range batch {
					args = append(args, ns)
				}
				err := r.query(q, args, func(ch *rawChunk) error {
					mono, temp := fixed[bool](ch.vec(4), ch.n), fixed[int32](ch.vec(5), ch.n)
					for i := range ch.n {
						k := key{stringAt(ch.vec(0), i), stringAt(ch.vec(1), i), stringAt(ch.vec(2), i), mono[i], temp[i]}
						if seen[k] {
							continue
						}
						seen[k] = true
						out = append(out, store.MetricInfo{Kind: p.kind, Name: k.name, Unit: k.unit, ScopeName: k.scope,
							Description: stringAt(ch.vec(3), i), IsMonotonic: k.mono, Temporality: k.temp})
					}
					return nil
				})
				if err != nil {
					return fmt.Errorf("list metrics of %s: %w", t.Name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// firstTimes returns the distinct first timestamps (ns) of the series of
// table (quoted) in [start, end], ascending. epoch_ns is applied to each
// group's minimum, not to every row (≈ 10 % of MetricInfos over 5.76M rows).
func firstTimes(r *rawReader, table string, start, end time.Time) ([]int64, error) {
	var firsts []int64
	q := "SELECT epoch_ns(min(TimeUnix)) FROM " + table + " WHERE TimeUnix >= ? AND TimeUnix <= ? GROUP BY SeriesFingerprint"
	err := r.query(q, []any{start.UTC(), end.UTC()}, func(ch *rawChunk) error {
		firsts = append(firsts, fixed[int64](ch.vec(0), ch.n)...)
		return nil
	})
	slices.Sort(firsts)
	return slices.Compact(firsts), err
}
