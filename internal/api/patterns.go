package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/overlook-dev/overlook/internal/analysis/patterns"
	"github.com/overlook-dev/overlook/internal/query"
	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

const (
	defaultPatterns = 50
	maxPatterns     = 200
	// patternSamples is how many example rows each pattern carries.
	patternSamples = 3
)

type patternsRequest struct {
	scopeRequest
	Limit int `json:"limit"`
}

type patternOut struct {
	Pattern    string      `json:"pattern"`
	Count      int64       `json:"count"`
	ErrorCount int64       `json:"errorCount"`
	Services   []string    `json:"services"`
	Samples    []store.Row `json:"samples"`
	Series     [][2]int64  `json:"series"`
}

type patternsResponse struct {
	Patterns    []patternOut `json:"patterns"`
	RowsScanned int64        `json:"rowsScanned"`
	Sampled     bool         `json:"sampled"`
}

// handlePatterns serves POST /api/patterns: the event texts of the scope
// (log bodies; span names with their status message) grouped into patterns
// (docs/analysis-api.md). Clustering runs on a uniform sample of at most
// PatternSampleRows events; the top patterns' counts, error counts,
// services and series are then counted exactly over the whole scope.
func (s *Server) handlePatterns(w http.ResponseWriter, r *http.Request) {
	var req patternsRequest
	if !decodeBody(w, r, s.opts.MaxBodyBytes, &req) {
		return
	}
	sc, ok := s.scope(w, req.scopeRequest)
	if !ok {
		return
	}
	limit := req.Limit
	switch {
	case limit == 0:
		limit = defaultPatterns
	case limit < 0 || limit > maxPatterns:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit %d is out of range: use 1 to %d", limit, maxPatterns))
		return
	}
	ta, ok := s.opts.Store.(store.TextAnalyzer)
	if !ok {
		unsupported(w, "event patterns")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.opts.QueryTimeout)
	defer cancel()
	res, err := s.patterns(ctx, ta, sc, limit)
	if err != nil {
		s.queryFailed(w, r, "patterns", err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) patterns(ctx context.Context, ta store.TextAnalyzer, sc store.Scope, limit int) (patternsResponse, error) {
	out := patternsResponse{Patterns: []patternOut{}}
	sample, err := ta.SampleTexts(ctx, sc, s.opts.Analysis.PatternSampleRows)
	if err != nil {
		return out, err
	}
	out.Sampled = sample.Sampled
	out.RowsScanned = sample.Total
	if len(sample.Rows) == 0 {
		return out, nil
	}
	texts := make([]patterns.Text, len(sample.Rows))
	for i, r := range sample.Rows {
		texts[i] = patterns.Text{Text: r.Text, Weight: 1}
	}
	clusters := patterns.Cluster(texts, patterns.Options{})
	if len(clusters) > limit {
		clusters = clusters[:limit]
	}
	// A row counts for the first pattern whose LIKE it matches: the most
	// specific patterns first.
	order := make([]int, len(clusters))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return clusters[order[a]].Literal() > clusters[order[b]].Literal()
	})
	likes := make([]string, len(order))
	for k, i := range order {
		likes[k] = clusters[i].Like()
	}
	step := query.AutoGranularity(sc.Start, sc.End)
	counts, scanned, err := ta.PatternCounts(ctx, store.PatternCountParams{Scope: sc, Patterns: likes, Step: step})
	if err != nil {
		return out, err
	}
	out.RowsScanned = scanned
	// Example rows: the newest sampled members of each pattern.
	var times []time.Time
	sampleTimes := make([]map[int64]bool, len(clusters))
	for i, c := range clusters {
		ms := slices.Clone(c.Members)
		sort.Slice(ms, func(a, b int) bool { return sample.Rows[ms[a]].Time.After(sample.Rows[ms[b]].Time) })
		sampleTimes[i] = map[int64]bool{}
		for _, m := range ms[:min(len(ms), patternSamples)] {
			times = append(times, sample.Rows[m].Time)
			sampleTimes[i][sample.Rows[m].Time.UnixNano()] = true
		}
	}
	// Only the span of the sampled times is read.
	rsc := sc
	if len(times) > 0 {
		lo, hi := slices.MinFunc(times, time.Time.Compare), slices.MaxFunc(times, time.Time.Compare)
		rsc.Start, rsc.End = lo, hi.Add(time.Nanosecond)
	}
	rows, err := ta.RowsAt(ctx, rsc, times)
	if err != nil {
		return out, err
	}
	first := bucketFloor(sc.Start, step)
	nb := int((bucketFloor(sc.End.Add(-1), step)-first)/int64(step)) + 1
	for k, i := range order {
		pc := counts[k]
		if pc.Count == 0 {
			continue
		}
		c := clusters[i]
		po := patternOut{Pattern: c.String(), Count: pc.Count, ErrorCount: pc.Errors,
			Services: rankServices(pc.Services), Samples: []store.Row{}, Series: make([][2]int64, nb)}
		for b := range po.Series {
			t := first + int64(b)*int64(step)
			po.Series[b] = [2]int64{t / int64(time.Second), pc.Buckets[t]}
		}
		for _, row := range rows {
			ts, _ := row[sc.Source.Table.TimeColumn].(time.Time)
			if len(po.Samples) < patternSamples && sampleTimes[i][ts.UnixNano()] && patterns.Matches(c, rowText(sc.Source, row)) {
				po.Samples = append(po.Samples, row)
			}
		}
		out.Patterns = append(out.Patterns, po)
	}
	sort.SliceStable(out.Patterns, func(a, b int) bool {
		if out.Patterns[a].Count != out.Patterns[b].Count {
			return out.Patterns[a].Count > out.Patterns[b].Count
		}
		return out.Patterns[a].Pattern < out.Patterns[b].Pattern
	})
	return out, nil
}

// bucketFloor floors t to a multiple of step since the Unix epoch, as the
// store's buckets are.
func bucketFloor(t time.Time, step time.Duration) int64 {
	ns, st := t.UnixNano(), int64(step)
	q := ns / st
	if ns%st != 0 && ns < 0 {
		q--
	}
	return q * st
}

// rankServices lists services by count, then name (rows without a
// service name are counted, not listed).
func rankServices(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if m[out[a]] != m[out[b]] {
			return m[out[a]] > m[out[b]]
		}
		return out[a] < out[b]
	})
	return out
}

// rowText is a row's text as the store's textExpr computes it.
func rowText(src *schema.Source, row store.Row) string {
	if src.Table.Name == schema.TracesTable {
		name, _ := row["SpanName"].(string)
		if msg, _ := row["StatusMessage"].(string); msg != "" {
			return name + " " + msg
		}
		return name
	}
	body, _ := row["Body"].(string)
	return strings.Clone(body)
}
