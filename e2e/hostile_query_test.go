package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// Generators of hostile query requests: /api/search (Lucene and SQL),
// /api/chart, /api/values, /api/fields, /api/traces/{id}, the Prometheus
// query API and the static routes.

var luceneAtoms = []string{
	"error", "checkout", `"payment failed"`, "*", "?", "ServiceName:x", "Body:*a*", "SpanName:/a.*b/",
	"Duration:>5", "Duration:[1 TO 100]", "{a TO b}", "SeverityText:ERROR", "LogAttributes.a:1",
	`SpanAttributes.http.method:"GET"`, "-x", "+y", "NOT", "AND", "OR", "(", ")", "\"", ":", "\\", "~2", "^3",
	"/(a+)+$/", "é", "\xff\xfe", "[", "]", "{", "}", "ResourceAttributes['k']:v", "_exists_:x",
	"a*b*c*d*e*f*g", "Duration:>-1e309", "Timestamp:>now", "🙂",
}

var sqlAtoms = []string{
	"ServiceName = 'x'", "Body LIKE '%a%'", "Duration > 5", "SeverityText IN ('a', -1)",
	"LogAttributes['a'] IN ('a', -1)", "SpanAttributes['k'] = 1", "regexp_matches(Body, '(a+)+$')",
	"Body ILIKE '%" + strings.Repeat("_%", 10) + "'", "lower(Body) = 'x'", "1=1", "NOT", "AND", "OR", "(", ")",
	"'", "''", ";", "--", "/*", "*/", "(SELECT 1)", "read_csv('/etc/passwd')", "Duration / 0 > 1",
	"CAST(Body AS INTEGER) > 1", "Timestamp > '9999-99-99'", "Duration BETWEEN 'a' AND 1", "ServiceName IS NULL",
	"length(Body) > 1e400", "\xff", "SpanAttributes[1]", "Body ~ 'x'", "ServiceName = ?", "$1",
}

func soup(r *rand.Rand, atoms []string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = atoms[r.IntN(len(atoms))]
	}
	return strings.Join(parts, " ")
}

// hostileWhere is a query text in language ("lucene" or "sql").
func hostileWhere(r *rand.Rand, sql bool) (string, string) {
	atoms, op := luceneAtoms, " OR "
	if sql {
		atoms = sqlAtoms
	}
	switch r.IntN(8) {
	case 0:
		d := []int{10, 100, 1000, 5000}[r.IntN(4)]
		return strings.Repeat("(", d) + atoms[r.IntN(len(atoms))] + strings.Repeat(")", d), fmt.Sprintf("%d parens", d)
	case 1:
		n := []int{10, 50, 200}[r.IntN(3)]
		terms := make([]string, n)
		for i := range terms {
			if sql {
				terms[i] = fmt.Sprintf("Body LIKE '%%t%d%%'", i)
			} else {
				terms[i] = fmt.Sprintf("term%d", i)
			}
		}
		return strings.Join(terms, op), fmt.Sprintf("%d-term OR chain", n)
	case 2:
		n := 1 + r.IntN(30)
		if sql {
			return "Body LIKE '" + strings.Repeat("%_", n) + "'", fmt.Sprintf("LIKE with %d %%_", n)
		}
		return "Body:/" + strings.Repeat("(a|aa)*", n) + "b/", fmt.Sprintf("regex of %d groups", n)
	case 3:
		return string(randBytes(r, r.IntN(300))), "random bytes"
	default:
		return soup(r, atoms, 1+r.IntN(25)), "token soup"
	}
}

func hostileTimeParam(r *rand.Rand) string {
	now := time.Now().UTC()
	return []string{"", now.Add(-time.Hour).Format(time.RFC3339), now.Format(time.RFC3339Nano), "yesterday", "0001-01-01T00:00:00Z",
		"9999-12-31T23:59:59Z", "-1", "1e30", now.Add(time.Hour).Format(time.RFC3339), "2024-02-30T00:00:00Z", "\xff"}[r.IntN(11)]
}

func hostileSource(r *rand.Rand) string {
	return []string{"logs", "traces", "logs", "traces", "metrics", "", "LOGS", "otel_logs; --"}[r.IntN(8)]
}

// genSearch is one POST /api/search.
func genSearch(r *rand.Rand, sql bool) hReq {
	q := hReq{target: "api", method: "POST", path: "/api/search", ctype: "application/json"}
	where, desc := hostileWhere(r, sql)
	lang := map[bool]string{false: "lucene", true: "sql"}[sql]
	if r.IntN(30) == 0 {
		lang = []string{"", "LUCENE", "promql", "kql"}[r.IntN(4)]
	}
	body := map[string]any{"source": hostileSource(r), "query": where, "whereLanguage": lang}
	if r.IntN(2) == 0 {
		body["start"], body["end"] = hostileTimeParam(r), hostileTimeParam(r)
	} else {
		now := time.Now().UTC()
		body["start"], body["end"] = now.Add(-time.Hour).Format(time.RFC3339), now.Add(time.Minute).Format(time.RFC3339)
	}
	if r.IntN(3) == 0 {
		body["limit"] = []any{-1, 0, 1, 10000, 10001, 1e12, "ten", nil}[r.IntN(8)]
	}
	q.body, _ = json.Marshal(body)
	switch r.IntN(25) {
	case 0:
		q.body, desc = q.body[:r.IntN(len(q.body))], "truncated JSON"
	case 1:
		q.body, desc = []byte(`{"source":"logs","query":"x","extra":1}`), "unknown field"
	case 2:
		q.ctype, desc = "text/plain", "text/plain body"
	}
	q.desc = lang + " " + desc
	return q
}

var valueExprs = []string{"ServiceName", "Duration", "Body", "SpanAttributes['http.method']", "LogAttributes['a']",
	"length(Body)", "Duration / 0", "ResourceAttributes", "x", "", "'; DROP", "*", "toFloat64(Duration)", "quantile(Duration)",
	"SpanAttributes[1]", "count()", "Value", "MetricName", strings.Repeat("Duration+", 500) + "1",
	"LogAttributes['\xff']", "SpanAttributes['a\xfe']"}

// genChart is one POST /api/chart.
func genChart(r *rand.Rand) hReq {
	q := hReq{target: "api", method: "POST", path: "/api/chart", ctype: "application/json", desc: "chart"}
	var sel []map[string]any
	for i := r.IntN(6); i > 0; i-- {
		where, _ := hostileWhere(r, r.IntN(2) == 0)
		sel = append(sel, map[string]any{
			"aggFn":           []string{"count", "sum", "avg", "min", "max", "p50", "p99", "quantile", "count_distinct", "rate", "", "bogus"}[r.IntN(12)],
			"valueExpression": valueExprs[r.IntN(len(valueExprs))],
			"level":           []float64{0.5, -1, 2, 1e308}[r.IntN(4)],
			"where":           where, "whereLanguage": []string{"lucene", "sql", "x"}[r.IntN(3)],
		})
	}
	where, desc := hostileWhere(r, r.IntN(2) == 0)
	body := map[string]any{
		"source": hostileSource(r), "select": sel, "where": where,
		"groupBy":     []any{valueExprs[r.IntN(len(valueExprs))], []string{"ServiceName", "Body", "x"}, "a,b,c", 5}[r.IntN(4)],
		"granularity": []string{"auto", "1 minute", "0 second", "-1 hour", "1 nanosecond", "abc", "100000000 hour", "1 second"}[r.IntN(8)],
		"displayType": []string{"line", "table", "number", "heatmap", "stacked_bar", "pie", ""}[r.IntN(7)],
		"limit":       []int{0, 1, 100, 101, -1, 1 << 30}[r.IntN(6)],
		"metricName":  hostileString(r)[:0] + []string{"", "x", "up", "\xff"}[r.IntN(4)],
		"metricType":  []string{"", "gauge", "sum", "histogram", "summary", "x"}[r.IntN(6)],
		"start":       hostileTimeParam(r), "end": hostileTimeParam(r),
	}
	q.body, _ = json.Marshal(body)
	q.desc = "chart, where " + desc
	return q
}

// genLookup is one GET of /api/values, /api/fields, /api/traces/{id} or
// the metrics explorer's /api/metrics endpoints.
func genLookup(r *rand.Rand) hReq {
	q := hReq{target: "api", method: "GET"}
	switch r.IntN(4) {
	case 3:
		ep := []string{"/api/metrics", "/api/metrics/labels", "/api/metrics/labels/values"}[r.IntN(3)]
		v := url.Values{"q": {[]string{"", "up", "\xff", "%", strings.Repeat("a", 5000)}[r.IntN(5)]},
			"name":  {[]string{"", "up", "x", "\xff", "a\x00b", strings.Repeat("n", 5000)}[r.IntN(6)]},
			"type":  {[]string{"", "gauge", "sum", "histogram", "exponential_histogram", "summary", "x"}[r.IntN(7)]},
			"label": {[]string{"", "ServiceName", "Attributes.job", "Attributes['\xfe']", "ResourceAttributes", "x", "\xff"}[r.IntN(7)]},
			"start": {hostileTimeParam(r)}, "end": {hostileTimeParam(r)},
			"limit": {[]string{"", "0", "-1", "1", "1000000", "x"}[r.IntN(6)]}}
		q.path, q.desc, q.cat = ep+"?"+v.Encode(), "metrics explorer", "values/fields"
	case 0:
		v := url.Values{"source": {hostileSource(r)}, "field": {valueExprs[r.IntN(len(valueExprs))]},
			"start": {hostileTimeParam(r)}, "end": {hostileTimeParam(r)},
			"prefix": {[]string{"", "a", "%", "_", "'", "\xff", strings.Repeat("x", 5000)}[r.IntN(7)]},
			"limit":  {[]string{"", "0", "-1", "1", "1000000", "x"}[r.IntN(6)]}}
		q.path, q.desc, q.cat = "/api/values?"+v.Encode(), "values", "values/fields"
	case 1:
		v := url.Values{"source": {hostileSource(r)}, "start": {hostileTimeParam(r)}, "end": {hostileTimeParam(r)}}
		q.path, q.desc, q.cat = "/api/fields?"+v.Encode(), "fields", "values/fields"
	default:
		id := []string{"", "00", strings.Repeat("0", 32), strings.Repeat("f", 32), strings.Repeat("g", 32),
			"0102030405060708090a0b0c0d0e0f10", strings.Repeat("ab", 5000), "..%2f..%2fetc", "%00", "%ff%fe",
			"' OR 1=1 --", "0x1", "-1", "ZZ"}[r.IntN(14)]
		q.path, q.desc, q.cat = "/api/traces/"+id, "trace id "+id, "traces/{id}"
		if r.IntN(2) == 0 {
			q.path += "/logs?limit=" + []string{"", "0", "-1", "99999999999", "x"}[r.IntN(5)]
		}
	}
	return q
}

var promAtoms = []string{"up", "x", `{__name__=~".*"}`, `{a=~"(a+)+$"}`, `{job!=""}`, "rate(", "sum(", "by", "(", ")",
	"[5m]", "[100d:1s]", "[1s]", "offset -1y", "@ 1e18", "histogram_quantile(0.9,", "label_replace(", "topk(1e9,",
	"count_values(\"x\",", "+", "/", "0", "1e309", "NaN", "-", "and", "or", "unless", `"`, ",", "{", "}", "==", "\xff",
	"absent(", "time()", "vector(1)", "scalar(", "quantile_over_time(2,", "predict_linear(", "ignoring(", "group_left"}

func promQL(r *rand.Rand) (string, string) {
	switch r.IntN(10) {
	case 0:
		return fmt.Sprintf("sum(rate(up[%dd:%ds]))", 1+r.IntN(100), 1+r.IntN(3)), "huge subquery"
	case 1:
		d := []int{10, 100, 1000}[r.IntN(3)]
		return strings.Repeat("(", d) + "up" + strings.Repeat(")", d), fmt.Sprintf("%d parens", d)
	case 2:
		return strings.Repeat("up + ", 50+r.IntN(500)) + "up", "long binary chain"
	default:
		return soup(r, promAtoms, 1+r.IntN(15)), "token soup"
	}
}

func promTime(r *rand.Rand) string {
	now := time.Now()
	return []string{"", fmt.Sprint(now.Unix()), fmt.Sprint(now.Add(-time.Hour).Unix()), "0", "-1e12", "1e18", "9e300",
		now.UTC().Format(time.RFC3339), "abc", "NaN", "Inf"}[r.IntN(11)]
}

// genPromQL is one request to the Prometheus query API.
func genPromQL(r *rand.Rand) hReq {
	q := hReq{target: "api", method: "GET"}
	expr, desc := promQL(r)
	v := url.Values{}
	ep := []string{"query", "query_range", "query_range", "series", "labels", "label/__name__/values",
		"label/%ff/values", "query_exemplars", "metadata"}[r.IntN(9)]
	switch ep {
	case "query":
		v.Set("query", expr)
		v.Set("time", promTime(r))
	case "query_range", "query_exemplars":
		v.Set("query", expr)
		v.Set("start", promTime(r))
		v.Set("end", promTime(r))
		v.Set("step", []string{"1", "15s", "0.001", "1e-9", "0", "-1", "1y", "abc", "60"}[r.IntN(9)])
		if r.IntN(3) == 0 {
			now := time.Now()
			v.Set("start", fmt.Sprint(now.Add(-time.Duration(1+r.IntN(2000))*24*time.Hour).Unix()))
			v.Set("end", fmt.Sprint(now.Unix()))
			desc += ", huge range"
		}
	case "series", "labels", "label/__name__/values", "label/%ff/values":
		v.Add("match[]", expr)
		if r.IntN(2) == 0 {
			v.Add("match[]", `{__name__=~".+"}`)
		}
		v.Set("start", promTime(r))
		v.Set("end", promTime(r))
		v.Set("limit", []string{"", "0", "-1", "1", "99999999999"}[r.IntN(5)])
	case "metadata":
		v.Set("metric", expr)
		v.Set("limit", []string{"", "-1", "x"}[r.IntN(3)])
	}
	q.path = "/prometheus/api/v1/" + ep + "?" + v.Encode()
	q.desc = ep + " " + desc
	if r.IntN(3) == 0 && ep != "metadata" && !strings.HasPrefix(ep, "label/") {
		q.method, q.ctype = "POST", "application/x-www-form-urlencoded"
		q.path, q.body = "/prometheus/api/v1/"+ep, []byte(v.Encode())
	}
	return q
}

// genStatic is one request to the UI's static routes or an unknown path,
// with an odd method now and then.
func genStatic(r *rand.Rand) hReq {
	q := hReq{target: "api", method: []string{"GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
		"TRACE", "PROPFIND", "FOO"}[r.IntN(12)]}
	q.path = []string{"/", "/index.html", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
		"/assets/..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd", "/.git/config", "/assets/", "/assets/x.js",
		"/" + strings.Repeat("a/", 2000+r.IntN(3000)), "/" + strings.Repeat("%41", 5000), "/search?q=" + strings.Repeat("x", 20000),
		"/api", "/api/", "/api/unknown", "/metrics", "/healthz", "/ready", "/prometheus/", "/prometheus/api/v2/x",
		"/%00", "/%ff", "/;/etc/passwd", "/dashboards/" + strings.Repeat("../", 50) + "etc/passwd"}[r.IntN(24)]
	if r.IntN(5) == 0 {
		q.body, q.ctype = randBytes(r, r.IntN(1024)), "application/octet-stream"
	}
	q.desc = q.method + " " + q.path
	return q
}
