package query

import "strings"

// duckDB renders for DuckDB 1.5:
//
//   - map value: coalesce(map_extract_value(m, ?), empty string) — m['k'] returns the
//     value in 1.5 (element_at returns a list), and the coalesce gives a
//     missing key ClickHouse's empty string so both back ends agree;
//   - key exists: map_contains(m, ?);
//   - token match: a case-insensitive RE2 regexp_matches with explicit
//     token-boundary classes, prefiltered by contains(lower(x), ?) on the
//     longest literal part (see BenchmarkTokenMatch);
//   - numeric casts of strings: TRY_CAST (bad values become NULL → no match);
//   - NOT x: NOT coalesce(x, FALSE), so NULL never leaks through negation.
type duckDB struct{}

func (duckDB) Name() string { return "duckdb" }

func (duckDB) param(r *renderer, v any) {
	r.args = append(r.args, v)
	if _, ok := v.(float64); ok {
		// Otherwise DuckDB types the parameter from the other side and would
		// round 1.5 to 2 against an integer column.
		r.w("CAST(? AS DOUBLE)")
		return
	}
	r.w("?")
}

func (d duckDB) mapValue(r *renderer, m, key, col string) {
	r.w("coalesce(")
	d.mapGet(r, m, key, col)
	r.w(", '')")
}

// mapGet writes m[key], NULL when absent: the materialised column col when
// there is one (NULL exactly when m lacks key), else map_extract_value.
func (d duckDB) mapGet(r *renderer, m, key, col string) {
	if col != "" {
		r.w(duckQuote(col))
		return
	}
	r.w("map_extract_value(")
	r.ident(m)
	r.w(", ")
	d.param(r, key)
	r.w(")")
}

func (d duckDB) mapLookup(r *renderer, maps []string, key string, cols []string) {
	r.w("coalesce(")
	for i, m := range maps {
		d.mapGet(r, m, key, cols[i])
		r.w(", ")
	}
	r.w("'')")
}

func (d duckDB) keyExists(r *renderer, m, key, col string) {
	if col == "" {
		d.mapContains(r, m, key)
		return
	}
	r.w("(" + duckQuote(col) + " IS NOT NULL)")
}

// duckQuote quotes an identifier for DuckDB (materialised column names
// hold dots and any character of an attribute key).
func duckQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (d duckDB) mapContains(r *renderer, m, key string) {
	r.w("map_contains(")
	r.ident(m)
	r.w(", ")
	d.param(r, key)
	r.w(")")
}

func (duckDB) mapNotEmpty(r *renderer, m string) {
	r.w("cardinality(")
	r.ident(m)
	r.w(") > 0")
}

// DuckDB's LIKE has no default escape character: name the backslash. A
// literal pattern that DuckDB would match by backtracking (see
// like_regex.go) is rendered as regexp_full_match instead.
func (d duckDB) like(r *renderer, p *bLike) {
	if pat, ok := p.pat.(*bParam); ok {
		if s, ok := pat.v.(string); ok && !likeIsSimple(s) {
			if p.neg {
				r.w("NOT ")
			}
			r.w("regexp_full_match(")
			r.expr(p.x)
			r.w(", ")
			d.param(r, likeRegex(s, p.ci))
			r.w(")")
			return
		}
	}
	renderLike(r, p)
	r.w(` ESCAPE '\'`)
}

func (d duckDB) token(r *renderer, p *bToken) {
	r.w("(")
	if p.t.needle != "" {
		r.w("contains(lower(")
		r.expr(p.x)
		r.w("), ")
		d.param(r, p.t.needle)
		r.w(") AND ")
	}
	r.w("regexp_matches(")
	r.expr(p.x)
	r.w(", ")
	d.param(r, p.t.regex)
	r.w("))")
}

func (duckDB) fn(r *renderer, f *bFunc) {
	call := func(name string) { r.call(name, f.args) }
	cast := func(typ string) {
		r.w("TRY_CAST(")
		r.expr(f.args[0])
		r.w(" AS " + typ + ")")
	}
	switch f.fn {
	case "lower", "upper", "length":
		call(f.fn)
	case "tostring":
		cast("VARCHAR")
	case "tofloat64":
		cast("DOUBLE")
	case "toint64":
		cast("BIGINT")
	case "touint64":
		cast("UBIGINT")
	case "tobool":
		cast("BOOLEAN")
	case "startswith":
		call("starts_with")
	case "endswith":
		call("ends_with")
	case "match":
		call("regexp_matches")
	case "mapcontains":
		call("map_contains")
	}
}

func (duckDB) notNullSafe(r *renderer, x bpred) {
	r.w("NOT coalesce(")
	r.pred(x)
	r.w(", FALSE)")
}
