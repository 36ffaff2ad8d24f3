package query

import (
	"fmt"
	"regexp"
	"strings"
)

// mergeTextOr rewrites, inside every OR, the case-insensitive word and
// phrase matches on one same value into a single regexp_matches over it.
//
// Rendered one by one, each of N bare words reads and lower-cases the text
// column again (contains(lower(x), ?) AND regexp_matches(x, ?)): with one
// 10 MB SpanName in range, 300 words OR-ed took 3.2 GB and 5 s (issue 9,
// finding 2). One RE2 alternation reads the value once, in time linear in
// its length, without a lowered copy. DuckDB only: ClickHouse answers the
// separate hasTokenCaseInsensitive calls from its token index.
func mergeTextOr(p bpred) bpred {
	switch p := p.(type) {
	case *bAnd:
		for i, x := range p.xs {
			p.xs[i] = mergeTextOr(x)
		}
	case *bNot:
		p.x = mergeTextOr(p.x)
	case *bOr:
		for i, x := range p.xs {
			p.xs[i] = mergeTextOr(x)
		}
		p.xs = mergeOrTerms(p.xs)
		if len(p.xs) == 1 {
			return p.xs[0]
		}
	}
	return p
}

// textRegex returns the unanchored, case-insensitive RE2 body equivalent to
// a word or phrase match, and the value it reads; ok is false for any
// other predicate.
func textRegex(p bpred) (re string, x bexpr, ok bool) {
	switch p := p.(type) {
	case *bToken:
		return strings.TrimPrefix(p.t.regex, "(?i)"), p.x, true
	case *bLike:
		if p.ci && !p.neg && p.sub != nil {
			return regexp.QuoteMeta(*p.sub), p.x, true
		}
	}
	return "", nil, false
}

func mergeOrTerms(xs []bpred) []bpred {
	type group struct {
		x   bexpr
		res []string
		at  int
	}
	var groups []*group
	byKey := map[string]*group{}
	out := make([]bpred, 0, len(xs))
	for _, p := range xs {
		re, x, ok := textRegex(p)
		if !ok {
			out = append(out, p)
			continue
		}
		k := exprKey(x)
		g := byKey[k]
		if g == nil {
			g = &group{x: x, at: len(out)}
			byKey[k] = g
			groups = append(groups, g)
			out = append(out, p)
		}
		g.res = append(g.res, re)
	}
	for _, g := range groups {
		if len(g.res) < 2 {
			continue
		}
		out[g.at] = &bToken{x: g.x, t: tokenMatch{regex: "(?i)(?:" + strings.Join(g.res, "|") + ")"}}
	}
	// Drop the merged members that followed their group's first one.
	final := out[:0]
	seen := map[string]bool{}
	for _, p := range out {
		if _, x, ok := textRegex(p); ok {
			k := exprKey(x)
			if g := byKey[k]; g != nil && len(g.res) > 1 {
				if seen[k] {
					continue
				}
				seen[k] = true
				p = out[g.at]
			}
		}
		final = append(final, p)
	}
	return final
}

// exprKey identifies a bound expression: its DuckDB rendering and arguments.
func exprKey(x bexpr) string {
	r := &renderer{d: DuckDB}
	r.expr(x)
	return r.b.String() + fmt.Sprint(r.args)
}
