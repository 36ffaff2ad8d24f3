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

func TestPromQLCacheBytes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"", DefaultPromQLCacheBytes, false}, {"0", 0, false}, {"8MiB", 8 << 20, false}, {"1000", 1000, false},
		{"lots", 0, true}, {"-1MiB", 0, true},
	} {
		got, err := QueryConfig{PromQLCacheBytes: c.in}.promQLCacheBytes()
		if (err != nil) != c.bad || !c.bad && got != c.want {
			t.Errorf("promql_cache_bytes %q = %d, %v; want %d (error: %v)", c.in, got, err, c.want, c.bad)
		}
		verr := QueryConfig{PromQLCacheBytes: c.in}.Validate()
		if (verr != nil) != c.bad || c.bad && !strings.Contains(verr.Error(), "query::promql_cache_bytes") {
			t.Errorf("Validate with promql_cache_bytes %q: %v", c.in, verr)
		}
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
