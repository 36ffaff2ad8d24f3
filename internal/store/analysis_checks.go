package store

import (
	"fmt"
	"time"

	"github.com/overlook-dev/overlook/internal/schema"
)

// The validation of the analysis reads' parameters, the same in every
// backend: a backend checks them before it renders any SQL.

// KnownTable reports whether t is one of schema.Tables (by identity or
// name).
func KnownTable(t *schema.Table) bool {
	for _, k := range schema.Tables {
		if k == t || (t != nil && k.Name == t.Name) {
			return true
		}
	}
	return false
}

// Check validates sc: a known source and a time range with start before
// end.
func (sc Scope) Check() error {
	if sc.Source == nil || !KnownTable(sc.Source.Table) {
		return fmt.Errorf("%w: unknown source", ErrInvalidArgument)
	}
	if sc.Start.IsZero() || sc.End.IsZero() {
		return fmt.Errorf("%w: a time range (start and end) is required", ErrInvalidArgument)
	}
	if !sc.Start.Before(sc.End) {
		return fmt.Errorf("%w: start %v is not before end %v", ErrInvalidArgument, sc.Start, sc.End)
	}
	return nil
}

// CheckSampleRows validates the row budget of SampleTexts.
func CheckSampleRows(maxRows int) error {
	if maxRows <= 0 {
		return fmt.Errorf("%w: maxRows must be positive", ErrInvalidArgument)
	}
	return nil
}

// Check validates p beyond its scope: a positive step.
func (p PatternCountParams) Check() error {
	if p.Step <= 0 {
		return fmt.Errorf("%w: step must be positive", ErrInvalidArgument)
	}
	return nil
}

// Check validates p beyond its scope: fields with a name each, a limit and
// a row budget.
func (p FacetParams) Check() error {
	if len(p.Fields) == 0 || len(p.Names) != len(p.Fields) || p.Limit <= 0 || p.MaxRows <= 0 {
		return fmt.Errorf("%w: facets need fields, names, a limit and a row budget", ErrInvalidArgument)
	}
	return nil
}

// CheckTopKeys validates the budgets of TopAttributeKeys.
func CheckTopKeys(maxRows, limit int) error {
	if maxRows <= 0 || limit <= 0 {
		return fmt.Errorf("%w: maxRows and limit must be positive", ErrInvalidArgument)
	}
	return nil
}

// MaxRowsAt caps RowsAt.
const MaxRowsAt = 1000

// RowsAtTimes is times cut to the first MaxRowsAt.
func RowsAtTimes(times []time.Time) []time.Time {
	if len(times) > MaxRowsAt {
		return times[:MaxRowsAt]
	}
	return times
}
