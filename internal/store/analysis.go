package store

import (
	"context"
	"time"

	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
)

// The reads behind the analysis endpoints (/api/patterns, /api/deltas,
// /api/facets): optional capabilities of a Store. Every one is bounded by
// its time range and a row budget; none takes a write lock.

// Scope is the rows an analysis reads: Filter's matches with the time
// column in [Start, End).
type Scope struct {
	Source *schema.Source
	// Filter is the parsed query; nil matches everything.
	Filter     query.Node
	Start, End time.Time
}

// TextRow is one event's text for clustering: a log's Body, a span's
// SpanName plus " " and its StatusMessage when that is set; SampleTexts
// may cut it after its first 4096 bytes.
type TextRow struct {
	Time    time.Time
	Text    string
	Service string
	// Error is SeverityNumber ≥ 17 (logs) or StatusCode Error (spans).
	Error bool
}

// TextSample is a uniform sample of the scope's event texts.
type TextSample struct {
	Rows []TextRow
	// Total is how many rows the scope has; Sampled is set when Rows
	// holds fewer of them.
	Total   int64
	Sampled bool
}

// PatternCountParams counts, over the whole scope, the rows whose text
// matches each of Patterns: SQL LIKE patterns (% any text, _ one
// character, \ escapes). A row counts for the first pattern it matches.
type PatternCountParams struct {
	Scope
	Patterns []string
	// Step is the width of the series buckets, aligned to the Unix epoch.
	Step time.Duration
}

// PatternCount is what PatternCounts found for one pattern.
type PatternCount struct {
	Count, Errors int64
	// Services maps each service with matching rows to their count.
	Services map[string]int64
	// Buckets maps bucket starts (Unix ns, multiples of Step) to counts.
	Buckets map[int64]int64
}

// TextAnalyzer reads event texts for the patterns analysis.
type TextAnalyzer interface {
	// SampleTexts returns at most maxRows texts of the scope, a uniform
	// sample when the scope has more.
	SampleTexts(ctx context.Context, sc Scope, maxRows int) (TextSample, error)
	// PatternCounts counts every pattern over the whole scope, parallel to
	// p.Patterns, and returns how many rows it read.
	PatternCounts(ctx context.Context, p PatternCountParams) ([]PatternCount, int64, error)
	// RowsAt returns the scope's rows whose time column is one of times
	// (every column, as Search returns them), at most 1000.
	RowsAt(ctx context.Context, sc Scope, times []time.Time) ([]Row, error)
}

// DeltaParams compares a selection of the scope with the rest of it.
type DeltaParams struct {
	Scope
	// Selection bounds; nil is open. DurationMin/Max (ns, inclusive) are
	// for traces only; SelStart/SelEnd bound the time column ([start, end)).
	DurationMin, DurationMax *int64
	SelStart, SelEnd         *time.Time
	// MaxRows caps the rows read per side (selection, background).
	MaxRows int
	// MaxValues caps the values returned per field.
	MaxValues int
}

// DeltaValue is one value's share of the selection and of the background
// (0 to 1, of all the rows of each side).
type DeltaValue struct {
	Value      string  `json:"value"`
	Selection  float64 `json:"selection"`
	Background float64 `json:"background"`
}

// DeltaField is one field's distributions and how different they are.
type DeltaField struct {
	Field  string       `json:"field"`
	Values []DeltaValue `json:"values"`
	// Score is the total variation distance between the two
	// distributions (rows without the field count as one more value): 0
	// same, 1 disjoint.
	Score float64 `json:"score"`
	// Distinct is how many distinct values the field had in the rows read.
	Distinct int `json:"-"`
}

// DeltaResult is the comparison; counts are exact, distributions come
// from at most MaxRows rows per side (Sampled when fewer were read).
type DeltaResult struct {
	SelectionCount, BackgroundCount int64
	Fields                          []DeltaField
	Sampled                         bool
}

// DeltaAnalyzer compares the value distributions of a selection.
type DeltaAnalyzer interface {
	Deltas(ctx context.Context, p DeltaParams) (DeltaResult, error)
}

// FacetParams asks for the top values of fields in the scope.
type FacetParams struct {
	Scope
	// Fields are SQL-mode value expressions (ServiceName,
	// ResourceAttributes['k8s.pod.name']); Names are what to call them in
	// the result, parallel.
	Fields, Names []string
	// Limit is the values per field.
	Limit int
	// MaxRows caps the rows read; more are sampled uniformly.
	MaxRows int
}

// Facet is one field's top values.
type Facet struct {
	Field    string  `json:"field"`
	Values   []Value `json:"values"`
	Distinct int64   `json:"distinct"`
	More     bool    `json:"more"`
}

// FacetResult holds the facets, in the order of FacetParams.Fields (fields
// without values included, with none).
type FacetResult struct {
	Facets      []Facet
	RowsScanned int64
	Sampled     bool
}

// Faceter computes facets.
type Faceter interface {
	Facets(ctx context.Context, p FacetParams) (FacetResult, error)
	// TopAttributeKeys returns the most frequent keys of the source's map
	// columns in (a sample of at most maxRows rows of) the scope, as
	// "Map.key" names, most frequent first, at most limit.
	TopAttributeKeys(ctx context.Context, sc Scope, maxRows, limit int) ([]string, error)
}
