package query

import "strings"

// clickHouse renders for ClickHouse:
//
//   - map value: m[?] — a missing key yields the empty string natively;
//   - first-of-maps lookup: multiIf(mapContains(a, ?), a[?], ..., last[?]);
//   - key exists: mapContains(m, ?);
//   - token match: hasTokenCaseInsensitive(x, ?) per whole token (served by
//     the token bloom-filter index), plus match(x, ?) with the same RE2
//     pattern as DuckDB when the word has separators or wildcards;
//   - numeric casts of strings: toFloat64OrNull / toInt64OrNull /
//     toUInt64OrNull (bad values become NULL → no match);
//   - LIKE: ClickHouse's LIKE/ILIKE use backslash escapes natively;
//   - NOT x: NOT ifNull(x, false).
type clickHouse struct{}

func (clickHouse) Name() string { return "clickhouse" }

func (clickHouse) param(r *renderer, v any) {
	r.args = append(r.args, v)
	r.w("?")
}

func (c clickHouse) mapValue(r *renderer, m, key, col string) {
	if col != "" {
		r.w(chQuote(col))
		return
	}
	r.ident(m)
	r.w("[")
	c.param(r, key)
	r.w("]")
}

func (c clickHouse) mapLookup(r *renderer, maps []string, key string, cols []string) {
	r.w("multiIf(")
	for i, m := range maps {
		if i == len(maps)-1 {
			c.mapValue(r, m, key, cols[i])
			break
		}
		c.mapContains(r, m, key)
		r.w(", ")
		c.mapValue(r, m, key, cols[i])
		r.w(", ")
	}
	r.w(")")
}

// keyExists: a ClickHouse materialised column is empty when the key is absent
// (MATERIALIZED m['key']), so presence is read from the map.
func (c clickHouse) keyExists(r *renderer, m, key, _ string) { c.mapContains(r, m, key) }

// chQuote quotes an identifier for ClickHouse.
func chQuote(s string) string {
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "`", "\\`") + "`"
}

func (c clickHouse) mapContains(r *renderer, m, key string) {
	r.w("mapContains(")
	r.ident(m)
	r.w(", ")
	c.param(r, key)
	r.w(")")
}

func (clickHouse) mapNotEmpty(r *renderer, m string) {
	r.w("notEmpty(")
	r.ident(m)
	r.w(")")
}

// ClickHouse's LIKE escapes with a backslash by default.
func (clickHouse) like(r *renderer, p *bLike) { renderLike(r, p) }

func (c clickHouse) token(r *renderer, p *bToken) {
	r.w("(")
	for i, t := range p.t.tokens {
		if i > 0 {
			r.w(" AND ")
		}
		r.w("hasTokenCaseInsensitive(")
		r.expr(p.x)
		r.w(", ")
		c.param(r, t)
		r.w(")")
	}
	if !p.t.single {
		if len(p.t.tokens) > 0 {
			r.w(" AND ")
		}
		r.w("match(")
		r.expr(p.x)
		r.w(", ")
		c.param(r, p.t.regex)
		r.w(")")
	}
	r.w(")")
}

func (clickHouse) fn(r *renderer, f *bFunc) {
	call := func(name string) { r.call(name, f.args) }
	fromString := f.args[0].kind() == kString
	switch f.fn {
	case "lower", "upper", "startswith", "endswith", "match":
		call(map[string]string{"lower": "lower", "upper": "upper", "startswith": "startsWith",
			"endswith": "endsWith", "match": "match"}[f.fn])
	case "length":
		call("lengthUTF8")
	case "tostring":
		call("toString")
	case "tofloat64":
		if fromString {
			call("toFloat64OrNull")
		} else {
			call("toFloat64")
		}
	case "toint64":
		if fromString {
			call("toInt64OrNull")
		} else {
			call("toInt64")
		}
	case "touint64":
		if fromString {
			call("toUInt64OrNull")
		} else {
			call("toUInt64")
		}
	case "tobool":
		call("toBool")
	case "mapcontains":
		call("mapContains")
	}
}

func (clickHouse) notNullSafe(r *renderer, x bpred) {
	r.w("NOT ifNull(")
	r.pred(x)
	r.w(", false)")
}
