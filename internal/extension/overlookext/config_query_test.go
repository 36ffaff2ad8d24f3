package overlookext

import (
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/query"
)

func TestQueryConfig(t *testing.T) {
	if err := (QueryConfig{}).Validate(); err != nil {
		t.Fatalf("zero config: %v", err)
	}
	err := QueryConfig{MaxTerms: -1, MaxResponseBytes: -5}.Validate()
	if err == nil || !strings.Contains(err.Error(), "query::max_terms") || !strings.Contains(err.Error(), "query::max_response_bytes") {
		t.Fatalf("negative limits: %v", err)
	}
	l := QueryConfig{MaxTerms: 7}.limits()
	if l.MaxTerms != 7 || l.MaxDepth != query.DefaultMaxDepth || l.MaxPatterns != query.DefaultMaxPatterns || l.MaxLength != query.DefaultMaxLength {
		t.Fatalf("limits = %+v", l)
	}
	if got := (QueryConfig{}).maxResponseBytes(); got != 32<<20 {
		t.Fatalf("default response cap = %d", got)
	}
}

func TestAnalysisConfig(t *testing.T) {
	err := QueryConfig{Analysis: AnalysisConfig{FacetRows: -1}}.Validate()
	if err == nil || !strings.Contains(err.Error(), "query::analysis::facet_rows") {
		t.Fatalf("negative facet_rows: %v", err)
	}
	a := QueryConfig{Analysis: AnalysisConfig{DeltaRows: 7}}.analysis()
	if a.DeltaRows != 7 || a.FacetRows != 50_000 || a.PatternSampleRows != 50_000 {
		t.Fatalf("analysis limits = %+v", a)
	}
}
