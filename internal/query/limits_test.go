package query

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/schema"
)

func words(n int, sep string) string {
	w := make([]string, n)
	for i := range w {
		w[i] = "w" + itoa(i)
	}
	return strings.Join(w, sep)
}

func TestParseLimited(t *testing.T) {
	small := Limits{MaxLength: 200, MaxTerms: 4, MaxDepth: 3, MaxPatterns: 2}
	for _, tc := range []struct {
		name, q, lang string
		key           string // "" = accepted
	}{
		{"terms at limit", words(4, " OR "), "", ""},
		{"terms over", words(5, " OR "), "", "max_terms"},
		{"in list counts values", "ServiceName IN ('a','b','c','d','e')", "sql", "max_terms"},
		{"depth at limit", "a (b OR (c d))", "", ""},
		{"depth over", "a (b OR (c (d OR NOT e)))", "", "max_depth"},
		{"sql depth over", "NOT (NOT (NOT (NOT (Body = 'x'))))", "sql", "max_depth"},
		{"globs at limit", "a* b*", "", ""},
		{"globs over", "a* b* c*", "", "max_patterns"},
		{"like over", "Body LIKE 'a%' OR Body LIKE 'b%' OR match(Body, 'c')", "sql", "max_patterns"},
		{"length over", strings.Repeat("a", 201), "", "max_query_length"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseLimited(tc.q, tc.lang, small)
			var le *LimitError
			switch {
			case tc.key == "" && err != nil:
				t.Fatalf("err = %v, want accepted", err)
			case tc.key != "" && !errors.As(err, &le):
				t.Fatalf("err = %v, want a LimitError on %s", err, tc.key)
			case tc.key != "" && le.Key != tc.key:
				t.Fatalf("limit %s, want %s", le.Key, tc.key)
			case tc.key != "" && !strings.Contains(err.Error(), ConfigPrefix+tc.key):
				t.Fatalf("message %q does not name the config key", err)
			}
		})
	}
	// Defaults: 300 OR-ed words (issue 9's 3.2 GB query) are refused.
	if _, err := ParseLimited(words(300, " OR "), "", Limits{}); err == nil {
		t.Fatal("300 terms accepted under the default limit")
	}
	if _, err := ParseLimited(words(DefaultMaxTerms, " OR "), "", Limits{}); err != nil {
		t.Fatalf("default max terms refused: %v", err)
	}
}

func TestMixedInListIsTypeError(t *testing.T) {
	src, _ := schema.SourceByName("logs")
	for _, q := range []string{"LogAttributes['a'] IN ('a',-1)", "Body NOT IN (1, 'x')"} {
		n, err := ParseSQL(q)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = Compile(n, src, DuckDB)
		var te *TypeError
		if !errors.As(err, &te) || !strings.Contains(te.Msg, "mixes strings and numbers") {
			t.Errorf("%s: err = %v, want the mixed IN TypeError", q, err)
		}
	}
	n, _ := ParseSQL("LogAttributes['a'] IN ('1', '-1')")
	if _, _, err := Compile(n, src, DuckDB); err != nil {
		t.Errorf("all-string IN: %v", err)
	}
}

func TestLikePatternMustBeLiteral(t *testing.T) {
	src, _ := schema.SourceByName("logs")
	n, err := ParseSQL("Body LIKE ServiceName")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Compile(n, src, DuckDB); err == nil {
		t.Fatal("a LIKE pattern read from a column was accepted")
	}
}

// likeMatch is a reference LIKE (backslash escapes), by dynamic programming.
func likeMatch(s, p string, ci bool) bool {
	if ci {
		s, p = strings.ToLower(s), strings.ToLower(p)
	}
	type tok struct {
		c    rune
		kind byte // 'c' literal, '%', '_'
	}
	var toks []tok
	pr := []rune(p)
	for i := 0; i < len(pr); i++ {
		switch {
		case pr[i] == '\\' && i+1 < len(pr):
			i++
			toks = append(toks, tok{pr[i], 'c'})
		case pr[i] == '%' || pr[i] == '_':
			toks = append(toks, tok{0, byte(pr[i])})
		default:
			toks = append(toks, tok{pr[i], 'c'})
		}
	}
	sr := []rune(s)
	dp := make([]bool, len(sr)+1)
	dp[0] = true
	for _, tk := range toks {
		next := make([]bool, len(sr)+1)
		for i := 0; i <= len(sr); i++ {
			switch tk.kind {
			case '%':
				next[i] = dp[i] || (i > 0 && next[i-1])
			case '_':
				next[i] = i > 0 && dp[i-1]
			default:
				next[i] = i > 0 && dp[i-1] && sr[i-1] == tk.c
			}
		}
		dp = next
	}
	return dp[len(sr)]
}

func TestLikeRegexMatchesLike(t *testing.T) {
	values := []string{"", "a", "ab", "abc", "a_c", "a%c", "A\nB", "xyzabc", "ééa", `a\b`}
	patterns := []string{"%", "_", "a%", "%c", "%_%_%", "a_c", `a\_c`, `a\%c`, "%b%", "__", "%%_", "_%_", "é%", `a\\b`, "%a%b%c%"}
	for _, p := range patterns {
		for _, ci := range []bool{false, true} {
			re := regexp.MustCompile("^(?:" + likeRegex(p, ci) + ")$")
			for _, v := range values {
				if got, want := re.MatchString(v), likeMatch(v, p, ci); got != want {
					t.Errorf("LIKE %q ci=%v on %q: regex %q says %v, LIKE %v", p, ci, v, likeRegex(p, ci), got, want)
				}
			}
		}
	}
	if !likeIsSimple("%abc%") || likeIsSimple("a_") || likeIsSimple("%a%b%") || !likeIsSimple(`%a\_b%`) {
		t.Error("likeIsSimple misclassifies")
	}
}

// An OR of words and phrases on one column renders as one regexp_matches
// on DuckDB, reading the column once (issue 9, finding 2).
func TestManyOrWordsRenderOnce(t *testing.T) {
	src, _ := schema.SourceByName("traces")
	n, err := ParseLimited(words(200, " OR ")+` OR "a phrase"`, "", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	where, args, err := Compile(n, src, DuckDB)
	if err != nil {
		t.Fatal(err)
	}
	if c := strings.Count(where, "SpanName"); c != 1 {
		t.Fatalf("SpanName read %d times in %s", c, where)
	}
	if len(args) != 1 {
		t.Fatalf("args = %d, want 1", len(args))
	}
	re := regexp.MustCompile(args[0].(string))
	for v, want := range map[string]bool{"GET w17 done": true, "xw17": false, "A Phrase here": true, "w200": false, "W199": true} {
		if got := re.MatchString(v); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}
