package query

import (
	"regexp"
	"strings"
)

// DuckDB's LIKE with an ESCAPE clause, and every ILIKE, run a backtracking
// matcher that is exponential in the number of wildcards: `Body LIKE
// '%_%_%_…'` (200 repeats) pinned a core for over five minutes, and a
// running LIKE does not see DuckDB's interrupt, so no timeout stopped it
// (issue 9, finding 3). A pattern with more than two '%' or any '_' is
// therefore rendered as the equivalent anchored RE2 expression
// (regexp_full_match), which runs in time linear in the value. The usual
// patterns ('%word%', 'prefix%') keep LIKE, which DuckDB runs fast.

// likeIsSimple reports whether pattern p (backslash escapes) has at most two
// unescaped '%' and no unescaped '_'.
func likeIsSimple(p string) bool {
	pct := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '_':
			return false
		case '%':
			pct++
		}
	}
	return pct <= 2
}

// likeRegex translates LIKE pattern p (backslash escapes) into an RE2
// expression that matches the same whole values: '%' → `.*`, '_' → `.`
// (any character, newlines included), everything else literal; ci adds
// case-insensitivity (ILIKE). Runs of wildcards are collapsed ('%%_' →
// `.+`), which keeps the expression short.
func likeRegex(p string, ci bool) string {
	var b strings.Builder
	b.WriteString("(?s)")
	if ci {
		b.WriteString("(?i)")
	}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			b.WriteString(regexp.QuoteMeta(lit.String()))
			lit.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			i++
			lit.WriteByte(p[i])
			continue
		}
		if c != '%' && c != '_' {
			lit.WriteByte(c)
			continue
		}
		flush()
		// A run of wildcards: n '_' and whether any '%'.
		n, any := 0, false
		for ; i < len(p) && (p[i] == '%' || p[i] == '_'); i++ {
			if p[i] == '_' {
				n++
			} else {
				any = true
			}
		}
		i--
		switch {
		case n == 0:
			b.WriteString(".*")
		case any && n == 1:
			b.WriteString(".+")
		case n == 1:
			b.WriteString(".")
		default:
			for n > 0 { // RE2 repeats are bounded by 1000
				k := min(n, 1000)
				b.WriteString(".{" + itoa(k) + "}")
				n -= k
			}
			if any {
				b.WriteString(".*")
			}
		}
	}
	flush()
	return b.String()
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
