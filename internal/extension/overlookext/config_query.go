package overlookext

import (
	"errors"
	"fmt"

	"github.com/overlook-dev/overlook/internal/api"
	"github.com/overlook-dev/overlook/internal/query"
)

// QueryConfig bounds what one API request may ask of the server
// (extensions::overlook::query::...). Zero fields use the defaults below;
// docs/limits.md (Query) explains each one.
type QueryConfig struct {
	// MaxTerms bounds the conditions of one search or chart filter (words,
	// field:value, comparisons; each IN-list value counts). Default 256.
	MaxTerms int `mapstructure:"max_terms"`
	// MaxDepth bounds the nesting of AND/OR/NOT and parentheses. Default 32.
	MaxDepth int `mapstructure:"max_depth"`
	// MaxPatterns bounds wildcard words, LIKE/ILIKE and match() regular
	// expressions in one filter. Default 32.
	MaxPatterns int `mapstructure:"max_patterns"`
	// MaxQueryLength bounds a filter's text in bytes. Default 16384.
	MaxQueryLength int `mapstructure:"max_query_length"`
	// MaxResponseBytes caps every API answer (native and Prometheus);
	// larger answers are refused with 422. Default 33554432 (32 MiB).
	MaxResponseBytes int64 `mapstructure:"max_response_bytes"`
	// Analysis bounds the rows the analysis endpoints (patterns, deltas,
	// facets) read (query::analysis::...).
	Analysis AnalysisConfig `mapstructure:"analysis"`
	// PromQLParts bounds the parts a long PromQL range query is cut into
	// and evaluated in parallel (internal/prom/promsplit). Default 0:
	// GOMAXPROCS, at most 8; 1 evaluates every range query whole.
	PromQLParts int `mapstructure:"promql_parts"`
	// PromQLMaxPoints bounds the stored points one PromQL selector reads
	// (≈ 30 B each while read); PromQLMaxSamples the samples the engine
	// holds at once for one query (Prometheus's max_samples). Default: a
	// quarter of the memory budget's Go share each (at most 50M; the
	// budget's log line says them); 50M without a budget.
	PromQLMaxPoints  int `mapstructure:"promql_max_points"`
	PromQLMaxSamples int `mapstructure:"promql_max_samples"`
	// PromQLCacheBytes (e.g. "32MiB") bounds the PromQL results cache
	// (internal/prom/promcache): range query results per hour, reused
	// while the data they read is unchanged. "0" turns it off. Default:
	// from the memory budget (internal/budget), else 32 MiB.
	PromQLCacheBytes string `mapstructure:"promql_cache_bytes"`
	// PromQLEvaluator chooses how range queries are evaluated: "vectorized"
	// (the default; internal/prom/promvec evaluates rate, increase, delta,
	// irate and idelta, their sum/avg/min/max/count/group and
	// histogram_quantile over those one series at a time, bit-for-bit
	// Prometheus's answer, and leaves every other query to Prometheus's
	// engine) or "engine" (Prometheus's engine for all).
	PromQLEvaluator string `mapstructure:"promql_evaluator"`
}

// AnalysisConfig is query::analysis: row budgets of /api/patterns,
// /api/facets and /api/deltas (docs/limits.md). Zero: the default.
type AnalysisConfig struct {
	// PatternSampleRows: events clustered at most. Default 50000.
	PatternSampleRows int `mapstructure:"pattern_sample_rows"`
	// FacetRows: rows read for facets at most. Default 50000.
	FacetRows int `mapstructure:"facet_rows"`
	// DeltaRows: rows compared per side at most. Default 20000.
	DeltaRows int `mapstructure:"delta_rows"`
}

// analysis is the API's view of c.Analysis.
func (c QueryConfig) analysis() api.AnalysisLimits {
	return api.AnalysisLimits{PatternSampleRows: c.Analysis.PatternSampleRows, FacetRows: c.Analysis.FacetRows,
		DeltaRows: c.Analysis.DeltaRows}.WithDefaults()
}

// limits is the query package's view of c.
func (c QueryConfig) limits() query.Limits {
	return query.Limits{MaxLength: c.MaxQueryLength, MaxTerms: c.MaxTerms, MaxDepth: c.MaxDepth, MaxPatterns: c.MaxPatterns}.WithDefaults()
}

// maxResponseBytes is the response cap, default applied.
func (c QueryConfig) maxResponseBytes() int64 {
	if c.MaxResponseBytes <= 0 {
		return api.DefaultMaxResponseBytes
	}
	return c.MaxResponseBytes
}

// Validate rejects negative limits (0 means the default).
func (c QueryConfig) Validate() error {
	var errs []error
	for _, f := range []struct {
		key string
		v   int64
	}{
		{"max_terms", int64(c.MaxTerms)}, {"max_depth", int64(c.MaxDepth)}, {"max_patterns", int64(c.MaxPatterns)},
		{"max_query_length", int64(c.MaxQueryLength)}, {"max_response_bytes", c.MaxResponseBytes},
		{"analysis::pattern_sample_rows", int64(c.Analysis.PatternSampleRows)}, {"analysis::facet_rows", int64(c.Analysis.FacetRows)},
		{"analysis::delta_rows", int64(c.Analysis.DeltaRows)}, {"promql_parts", int64(c.PromQLParts)},
		{"promql_max_points", int64(c.PromQLMaxPoints)}, {"promql_max_samples", int64(c.PromQLMaxSamples)},
	} {
		if f.v < 0 {
			errs = append(errs, fmt.Errorf("query::%s is negative (%d): use a positive number, or 0 for the default", f.key, f.v))
		}
	}
	switch c.PromQLEvaluator {
	case "", "vectorized", "engine":
	default:
		errs = append(errs, fmt.Errorf("query::promql_evaluator is %q: use vectorized (the default) or engine", c.PromQLEvaluator))
	}
	if _, err := c.promQLCacheBytes(); err != nil {
		errs = append(errs, fmt.Errorf("query::promql_cache_bytes: %w", err))
	}
	return errors.Join(errs...)
}
