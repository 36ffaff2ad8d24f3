package query

import (
	"regexp"
	"strings"
)

// Token matching follows ClickHouse's hasTokenCaseInsensitive: a token is a
// maximal run of ASCII letters and digits and non-ASCII bytes; everything
// else separates tokens. A bare word matches when it occurs as a whole token
// (case-insensitively). A word with separators in it ("foo.bar") matches
// when that exact token sequence occurs bounded by separators. A '*' in a
// bare word stands for any run of token characters ("pay*" is a token that
// starts with "pay").

// tokenClass is the regexp character class of token characters.
const tokenClass = `0-9A-Za-z\x{80}-\x{10FFFF}`

// The token boundaries: start/end of the value or a non-token character.
const (
	preBoundary  = `(?:^|[^` + tokenClass + `])`
	postBoundary = `(?:$|[^` + tokenClass + `])`
)

// tokenMatch is a compiled bare-word match.
type tokenMatch struct {
	// regex is an RE2 pattern (case-insensitive) equivalent to the match,
	// valid in DuckDB's regexp_matches and ClickHouse's match.
	regex string
	// tokens are whole tokens that every matching value contains; ClickHouse
	// checks them first with hasTokenCaseInsensitive (token bloom filter).
	tokens []string
	// needle is a literal substring (lower-cased) every matching value
	// contains, case-insensitively; "" when there is none. DuckDB prefilters
	// with it.
	needle string
	// single is true when the match is exactly one whole token, so
	// hasTokenCaseInsensitive alone decides it.
	single bool
	// core is regex without the case flag and the token boundaries;
	// pre and post say whether regex requires a boundary before / after
	// it. An OR of matches merges them by boundaries (merge.go).
	core      string
	pre, post bool
}

func isTokenByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// newTokenMatch builds the match for a bare word split at its wildcards.
func newTokenMatch(pieces []string) tokenMatch {
	var re strings.Builder
	var m tokenMatch
	re.WriteString("(?i)")
	last := len(pieces) - 1
	if pieces[0] != "" || last == 0 {
		re.WriteString(preBoundary)
		m.pre = true
	}
	coreAt := re.Len()
	for i, p := range pieces {
		if i > 0 {
			re.WriteString(`[` + tokenClass + `]*`)
		}
		re.WriteString(regexp.QuoteMeta(p))
		if len(strings.TrimSpace(p)) > len(m.needle) {
			m.needle = strings.ToLower(p)
		}
		// Whole tokens inside the piece.
		for s := 0; s < len(p); {
			if !isTokenByte(p[s]) {
				s++
				continue
			}
			e := s
			for e < len(p) && isTokenByte(p[e]) {
				e++
			}
			if (s > 0 || i == 0) && (e < len(p) || i == last) {
				m.tokens = append(m.tokens, strings.ToLower(p[s:e]))
			}
			s = e
		}
	}
	m.core = re.String()[coreAt:]
	if pieces[last] != "" || last == 0 {
		re.WriteString(postBoundary)
		m.post = true
	}
	m.regex = re.String()
	m.single = last == 0 && len(m.tokens) == 1 && m.tokens[0] == strings.ToLower(pieces[0])
	return m
}
