package store

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Check validates what a backend's Deltas needs of p beyond its scope:
// positive row and value budgets, a duration selection only on a source
// with Duration (traces), and at least one bound of the selection.
func (p DeltaParams) Check() error {
	if p.MaxRows <= 0 || p.MaxValues <= 0 {
		return fmt.Errorf("%w: maxRows and maxValues must be positive", ErrInvalidArgument)
	}
	if p.DurationMin != nil || p.DurationMax != nil {
		if _, ok := p.Source.Table.Column("Duration"); !ok {
			return fmt.Errorf("%w: a duration selection needs source traces (%s has no Duration)", ErrInvalidArgument, p.Source.Name)
		}
	}
	if p.DurationMin == nil && p.DurationMax == nil && p.SelStart == nil && p.SelEnd == nil {
		return fmt.Errorf("%w: the selection is everything: bound it with durationMinMs, durationMaxMs, start or end", ErrInvalidArgument)
	}
	return nil
}

// Selection renders the selection of p (after Check) as a parenthesised
// SQL predicate and its arguments, in a backend's terms: duration and
// timeCol are its Duration and time columns as it quotes them, bound
// clamps times to what it stores, and durations below minDuration are
// bound as minDuration.
func (p DeltaParams) Selection(duration, timeCol string, bound func(time.Time) time.Time, minDuration int64) (string, []any) {
	var sel []string
	var args []any
	if p.DurationMin != nil {
		sel, args = append(sel, duration+" >= ?"), append(args, max(*p.DurationMin, minDuration))
	}
	if p.DurationMax != nil {
		sel, args = append(sel, duration+" <= ?"), append(args, max(*p.DurationMax, minDuration))
	}
	if p.SelStart != nil {
		sel, args = append(sel, timeCol+" >= ?"), append(args, bound(*p.SelStart))
	}
	if p.SelEnd != nil {
		sel, args = append(sel, timeCol+" < ?"), append(args, bound(*p.SelEnd))
	}
	return "(" + strings.Join(sel, " AND ") + ")", args
}

// DeltaCollector assembles a DeltaResult's fields from the rows of a
// backend's comparison query, which ranks the values of every field (the
// columns of DeltaColumns, the keys of AttributeMaps) per field. The zero
// value is ready.
type DeltaCollector struct {
	byField map[string]*DeltaField
	order   []string
}

// Add takes one row: value v of field f and its shares ps and pb of the
// selection's and the background's rows; d is how many distinct values
// the field has, sad the sum over them of |share in selection − share in
// background|, fs and fb the field's total shares of each side.
func (c *DeltaCollector) Add(f, v string, ps, pb float64, d int64, sad, fs, fb float64) {
	if c.byField == nil {
		c.byField = map[string]*DeltaField{}
	}
	df := c.byField[f]
	if df == nil {
		// Rows without the field are one more value of it.
		missS, missB := max(0, 1-fs), max(0, 1-fb)
		abs := missS - missB
		if abs < 0 {
			abs = -abs
		}
		df = &DeltaField{Field: f, Score: round4((sad + abs) / 2), Distinct: int(d)}
		c.byField[f] = df
		c.order = append(c.order, f)
	}
	df.Values = append(df.Values, DeltaValue{Value: v, Selection: round4(ps), Background: round4(pb)})
}

// Finish appends the fields to out.Fields, most different first, leaving
// out the fields whose values are mostly unique (ids): more than
// p.MaxValues distinct values that are more than half of the rows read.
// out's counts must be set.
func (c *DeltaCollector) Finish(out *DeltaResult, p DeltaParams) {
	// Rows read per side, to tell ids from values.
	rowsRead := float64(min(out.SelectionCount, int64(p.MaxRows)) + min(out.BackgroundCount, int64(p.MaxRows)))
	for _, f := range c.order {
		df := c.byField[f]
		if df.Distinct > p.MaxValues && float64(df.Distinct) > rowsRead/2 {
			continue
		}
		out.Fields = append(out.Fields, *df)
	}
	sort.SliceStable(out.Fields, func(i, j int) bool {
		if out.Fields[i].Score != out.Fields[j].Score {
			return out.Fields[i].Score > out.Fields[j].Score
		}
		return out.Fields[i].Field < out.Fields[j].Field
	})
}

// round4 rounds to 4 decimals, so answers are stable across platforms.
func round4(f float64) float64 {
	return float64(int64(f*10000+0.5)) / 10000
}
