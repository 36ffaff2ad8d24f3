package query

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// executeHeatmap counts rows per (time bucket, value bin). The value axis
// is the request's [min, max] or, when not given, the data's (one scan
// more); bins are equal in log space (default) or linear space. Each
// non-empty bin is one series whose points are the non-zero buckets.
func (p *ChartPlan) executeHeatmap(ctx context.Context, acc *accumulator, run func(ChartQuery, func([]any) error) error) (*ChartResult, error) {
	h := p.spec.heatmap
	lo, hi := h.Min, h.Max
	res := &ChartResult{Series: []Series{}}
	if lo == 0 && hi == 0 {
		var found bool
		err := run(p.heatRangeQuery(), func(row []any) error {
			l, ok1 := num(row[0])
			u, ok2 := num(row[1])
			lo, hi, found = l, u, ok1 && ok2
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("heatmap value range: %w", err)
		}
		if !found {
			res.Meta = acc.meta()
			return res, nil
		}
		if hi <= lo {
			if h.Scale == "log" {
				hi = lo * 2
			} else {
				hi = lo + 1
			}
		}
	}
	cells := map[int64]map[int64]float64{} // bin → bucket → count
	err := run(p.heatBinsQuery(lo, hi), func(row []any) error {
		b, _ := row[0].(int64)
		y, _ := row[1].(int64)
		c, _ := num(row[2])
		if cells[y] == nil {
			cells[y] = map[int64]float64{}
		}
		cells[y][b] += c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("heatmap: %w", err)
	}
	buckets := acc.buckets()
	for y := int64(0); y < int64(h.Bins); y++ {
		row, ok := cells[y]
		if !ok {
			continue
		}
		bl, bh := binBounds(lo, hi, h.Bins, h.Scale, int(y))
		s := Series{Name: fmtNum(bl) + "–" + fmtNum(bh), Bin: &[2]float64{bl, bh}, Points: []Point{}}
		for _, b := range buckets {
			if c := row[b]; c > 0 {
				s.Points = append(s.Points, Point{T: b / int64(time.Millisecond), V: c})
			}
		}
		res.Series = append(res.Series, s)
	}
	res.Meta = acc.meta()
	res.Meta.Heatmap = &HeatmapMeta{Min: lo, Max: hi, Bins: h.Bins, Scale: h.Scale}
	return res, nil
}

// binBounds is the value range of bin i of n over [lo, hi].
func binBounds(lo, hi float64, n int, scale string, i int) (float64, float64) {
	if scale == "log" {
		a, b := math.Log(lo), math.Log(hi)
		w := (b - a) / float64(n)
		return math.Exp(a + w*float64(i)), math.Exp(a + w*float64(i+1))
	}
	w := (hi - lo) / float64(n)
	return lo + w*float64(i), lo + w*float64(i+1)
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) }
