package query

import (
	"fmt"
	"regexp"
	"strings"
)

// textAlt is one alternative of a merged match: the core regex and the
// boundaries it needs.
type textAlt struct {
	core      string
	pre, post bool
}

// textRegex returns the alternative equivalent to a word or phrase match,
// and the value it reads; ok is false for any other predicate.
func textRegex(p bpred) (alt textAlt, x bexpr, ok bool) {
	switch p := p.(type) {
	case *bToken:
		if p.t.core == "" && p.t.regex != "" { // already merged
			return alt, nil, false
		}
		return textAlt{p.t.core, p.t.pre, p.t.post}, p.x, true
	case *bLike:
		if p.ci && !p.neg && p.sub != nil {
			return textAlt{core: regexp.QuoteMeta(*p.sub)}, p.x, true
		}
	}
	return alt, nil, false
}

// mergedRegex is the case-insensitive alternation of alts, with the cores
// that need the same boundaries factored together: one boundary test and
// a trie of literals keep RE2's automaton small (300 words each with its
// own boundaries ran for minutes on a 10 MB value; factored, 90 ms).
func mergedRegex(alts []textAlt) string {
	var groups [4][]string
	for _, a := range alts {
		i := 0
		if a.pre {
			i |= 1
		}
		if a.post {
			i |= 2
		}
		groups[i] = append(groups[i], a.core)
	}
	var parts []string
	for i, g := range groups {
		if len(g) == 0 {
			continue
		}
		var b strings.Builder
		if i&1 != 0 {
			b.WriteString(preBoundary)
		}
		b.WriteString("(?:" + strings.Join(g, "|") + ")")
		if i&2 != 0 {
			b.WriteString(postBoundary)
		}
		parts = append(parts, b.String())
	}
	return "(?i)" + strings.Join(parts, "|")
}

// mergeOrTerms rewrites the terms of an OR: the case-insensitive word and
// phrase matches on one same value become a single regexp_matches over it.
//
// Rendered one by one, each of N bare words reads and lower-cases the text
// column again (contains(lower(x), ?) AND regexp_matches(x, ?)): with one
// 10 MB SpanName in range, 300 words OR-ed took 3.2 GB and 5 s (issue 9,
// finding 2). One RE2 alternation reads the value once, in time linear in
// its length, without a lowered copy. DuckDB only (the renderer calls it
// for every OR): ClickHouse answers the separate hasTokenCaseInsensitive
// calls from its token index.
func mergeOrTerms(xs []bpred) []bpred {
	type group struct {
		x    bexpr
		alts []textAlt
		at   int
	}
	byKey := map[string]*group{}
	keyAt := make([]string, len(xs))
	for i, p := range xs {
		alt, x, ok := textRegex(p)
		if !ok {
			continue
		}
		k := exprKey(x)
		keyAt[i] = k
		g := byKey[k]
		if g == nil {
			g = &group{x: x, at: i}
			byKey[k] = g
		}
		g.alts = append(g.alts, alt)
	}
	out := make([]bpred, 0, len(xs))
	for i, p := range xs {
		if k := keyAt[i]; k != "" {
			g := byKey[k]
			if len(g.alts) > 1 {
				if g.at != i {
					continue
				}
				p = &bToken{x: g.x, t: tokenMatch{regex: mergedRegex(g.alts)}}
			}
		}
		out = append(out, p)
	}
	return out
}

// exprKey identifies a bound expression: its DuckDB rendering and arguments.
func exprKey(x bexpr) string {
	r := &renderer{d: DuckDB}
	r.expr(x)
	return r.b.String() + fmt.Sprint(r.args)
}
