package store

// The assembly of the analysis reads' results from the rows of a
// backend's query, the same in every backend.

// MaxSampleText is the characters of each text SampleTexts returns: more
// than the 4096 bytes the pattern tokenizer reads, and a sample of 256 KiB
// log bodies must not hold gigabytes.
const MaxSampleText = 5000

// PatternTally collects PatternCounts from a backend's rows grouped by
// pattern, time bucket and service.
type PatternTally struct {
	// Counts are parallel to the patterns.
	Counts []PatternCount
	// Scanned is the rows read, matching or not.
	Scanned int64
}

// NewPatternTally starts the tally of n patterns.
func NewPatternTally(n int) *PatternTally {
	t := &PatternTally{Counts: make([]PatternCount, n)}
	for i := range t.Counts {
		t.Counts[i] = PatternCount{Services: map[string]int64{}, Buckets: map[int64]int64{}}
	}
	return t
}

// Add takes one group: n rows (e of them errors) of service svc (nil:
// none) in bucket b that pattern idx matched first; idx out of range is
// rows no pattern matched.
func (t *PatternTally) Add(idx int, b int64, svc *string, n, e int64) {
	t.Scanned += n
	if idx < 0 || idx >= len(t.Counts) {
		return
	}
	pc := &t.Counts[idx]
	pc.Count += n
	pc.Errors += e
	pc.Buckets[b] += n
	if svc != nil {
		pc.Services[*svc] += n
	}
}

// NewFacetResult is the result of p with every field and no values yet.
func NewFacetResult(p FacetParams) FacetResult {
	out := FacetResult{Facets: make([]Facet, len(p.Fields))}
	for i := range out.Facets {
		out.Facets[i] = Facet{Field: p.Names[i], Values: []Value{}}
	}
	return out
}

// Add takes one row: value v of field i counted n times, of d distinct
// values of the field.
func (r *FacetResult) Add(p FacetParams, i int, v string, n, d int64) {
	f := &r.Facets[i]
	f.Values = append(f.Values, Value{Value: v, Count: n})
	f.Distinct = d
	f.More = d > int64(p.Limit)
}

// SetScanned records that the facets came from at most p.MaxRows of the
// scope's total rows.
func (r *FacetResult) SetScanned(p FacetParams, total int64) {
	r.RowsScanned = min(total, int64(p.MaxRows))
	r.Sampled = total > int64(p.MaxRows)
}
