package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// Tolerances of value comparison: engines may sum in another order
// (Prometheus 3 uses Kahan summation), so values are equal when within a
// relative 1e-6, or an absolute 1e-9 around zero.
const (
	relTolerance = 1e-6
	absTolerance = 1e-9
)

// apiAnswer is one Prometheus API answer: the envelope, and for queries
// the result type and the undecoded result.
type apiAnswer struct {
	Status     string          `json:"status"`
	ErrorType  string          `json:"errorType"`
	Error      string          `json:"error"`
	Data       json.RawMessage `json:"data"`
	ResultType string          `json:"-"`
	Result     json.RawMessage `json:"-"`
}

// apiSeries is a vector sample or a matrix series.
type apiSeries struct {
	Metric     map[string]string `json:"metric"`
	Value      []any             `json:"value"`
	Values     [][]any           `json:"values"`
	Histogram  json.RawMessage   `json:"histogram"`
	Histograms json.RawMessage   `json:"histograms"`
}

// point is a decoded [timestamp, "value"] pair.
type point struct {
	t float64
	v float64
}

func decodePoint(raw []any) (point, error) {
	if len(raw) != 2 {
		return point{}, fmt.Errorf("point %v: want [t, v]", raw)
	}
	t, ok := raw[0].(float64)
	vs, ok2 := raw[1].(string)
	if !ok || !ok2 {
		return point{}, fmt.Errorf("point %v: want [number, string]", raw)
	}
	v, err := strconv.ParseFloat(vs, 64)
	if err != nil {
		return point{}, fmt.Errorf("point %v: %w", raw, err)
	}
	return point{t, v}, nil
}

// sameValue is value equality with NaN == NaN and the tolerances above.
func sameValue(a, b float64) bool {
	switch {
	case math.IsNaN(a) || math.IsNaN(b):
		return math.IsNaN(a) && math.IsNaN(b)
	case math.IsInf(a, 0) || math.IsInf(b, 0):
		return a == b
	}
	d := math.Abs(a - b)
	return d <= absTolerance || d <= relTolerance*math.Max(math.Abs(a), math.Abs(b))
}

// ordered reports whether the order of an instant query's result is
// defined by the query: a top-level sort or sort_desc.
func ordered(query string) bool {
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(query)
	if err != nil {
		return false
	}
	for {
		p, ok := expr.(*parser.ParenExpr)
		if !ok {
			break
		}
		expr = p.Expr
	}
	c, ok := expr.(*parser.Call)
	return ok && (c.Func.Name == "sort" || c.Func.Name == "sort_desc")
}

// labelKey renders a label set canonically.
func labelKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", k, m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// compareAnswers compares the answer of the system under test (got) with
// the reference's (want) the way the PromQL compliance tester does: two
// errors agree when their types do, whatever the messages; otherwise the
// result types, the series' label sets, their timestamps and their values
// must agree, in any order; when inOrder, the values must also come in the
// reference's order (series with equal values may change places, as
// sorting does not order ties). It returns "" when they agree, else the
// first difference.
func compareAnswers(want, got apiAnswer, inOrder bool) string {
	wantErr, gotErr := want.Status != "success", got.Status != "success"
	switch {
	case wantErr && gotErr && want.ErrorType != got.ErrorType:
		return fmt.Sprintf("error type %s (%s), want %s (%s)", got.ErrorType, got.Error, want.ErrorType, want.Error)
	case wantErr && gotErr:
		return ""
	case wantErr:
		return fmt.Sprintf("reference failed (%s: %s), overlook succeeded", want.ErrorType, want.Error)
	case gotErr:
		return fmt.Sprintf("overlook failed (%s: %s)", got.ErrorType, got.Error)
	}
	if want.ResultType != got.ResultType {
		return fmt.Sprintf("result type %s, want %s", got.ResultType, want.ResultType)
	}
	if rt := want.ResultType; rt == "scalar" || rt == "string" {
		return compareScalar(want.Result, got.Result)
	}
	var ws, gs []apiSeries
	if err := json.Unmarshal(want.Result, &ws); err != nil {
		return fmt.Sprintf("decode reference result: %v", err)
	}
	if err := json.Unmarshal(got.Result, &gs); err != nil {
		return fmt.Sprintf("decode overlook result: %v", err)
	}
	return compareSeries(ws, gs, inOrder)
}

func compareScalar(want, got json.RawMessage) string {
	var w, g []any
	if err := json.Unmarshal(want, &w); err != nil {
		return fmt.Sprintf("decode reference scalar: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return fmt.Sprintf("decode overlook scalar: %v", err)
	}
	if len(w) == 2 && len(g) == 2 {
		if ws, ok := w[1].(string); ok {
			if _, err := strconv.ParseFloat(ws, 64); err != nil { // a string result
				if fmt.Sprint(w) != fmt.Sprint(g) {
					return fmt.Sprintf("string %v, want %v", g, w)
				}
				return ""
			}
		}
	}
	return comparePoints("scalar", [][]any{w}, [][]any{g})
}

func compareSeries(want, got []apiSeries, inOrder bool) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%d series, want %d: %s", len(got), len(want), seriesDiff(want, got))
	}
	byKey := make(map[string]apiSeries, len(got))
	for _, s := range got {
		byKey[labelKey(s.Metric)] = s
	}
	if len(byKey) != len(got) {
		return "overlook answered duplicate label sets"
	}
	for i, w := range want {
		key := labelKey(w.Metric)
		g, ok := byKey[key]
		if !ok {
			return fmt.Sprintf("series mismatch: %s", seriesDiff(want, got))
		}
		if inOrder && !sameOrderValue(w, got[i]) {
			return fmt.Sprintf("order: position %d is %s %v, want %s %v", i, labelKey(got[i].Metric), got[i].Value, key, w.Value)
		}
		if string(w.Histogram) != string(g.Histogram) || string(w.Histograms) != string(g.Histograms) {
			return fmt.Sprintf("%s: native histograms differ", key)
		}
		wp, gp := w.Values, g.Values
		if w.Value != nil || g.Value != nil {
			wp, gp = [][]any{w.Value}, [][]any{g.Value}
		}
		if msg := comparePoints(key, wp, gp); msg != "" {
			return msg
		}
	}
	return ""
}

// sameOrderValue reports whether two vector samples have the same value.
func sameOrderValue(a, b apiSeries) bool {
	pa, err := decodePoint(a.Value)
	if err != nil {
		return false
	}
	pb, err := decodePoint(b.Value)
	return err == nil && sameValue(pa.v, pb.v)
}

func comparePoints(key string, want, got [][]any) string {
	if len(want) != len(got) {
		return fmt.Sprintf("%s: %d points, want %d (got %v, want %v)", key, len(got), len(want), got, want)
	}
	for i := range want {
		w, err := decodePoint(want[i])
		if err != nil {
			return fmt.Sprintf("%s: reference %v", key, err)
		}
		g, err := decodePoint(got[i])
		if err != nil {
			return fmt.Sprintf("%s: overlook %v", key, err)
		}
		if w.t != g.t {
			return fmt.Sprintf("%s: point %d at %.3f, want %.3f", key, i, g.t, w.t)
		}
		if !sameValue(w.v, g.v) {
			return fmt.Sprintf("%s: at %.3f value %v, want %v", key, w.t, g.v, w.v)
		}
	}
	return ""
}

// seriesDiff names up to three label sets missing on either side.
func seriesDiff(want, got []apiSeries) string {
	in := func(ss []apiSeries) map[string]bool {
		m := map[string]bool{}
		for _, s := range ss {
			m[labelKey(s.Metric)] = true
		}
		return m
	}
	wm, gm := in(want), in(got)
	var missing, extra []string
	for k := range wm {
		if !gm[k] {
			missing = append(missing, k)
		}
	}
	for k := range gm {
		if !wm[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	first := func(s []string) []string { return s[:min(len(s), 3)] }
	return fmt.Sprintf("missing %d %v, extra %d %v", len(missing), first(missing), len(extra), first(extra))
}

// TestCompareAnswers checks the comparison itself, so that the compliance
// test cannot pass by comparing nothing.
func TestCompareAnswers(t *testing.T) {
	vec := func(samples ...string) apiAnswer {
		var a apiAnswer
		a.Status = "success"
		a.ResultType = "vector"
		a.Result = json.RawMessage("[" + strings.Join(samples, ",") + "]")
		return a
	}
	mat := func(series ...string) apiAnswer {
		a := vec(series...)
		a.ResultType = "matrix"
		return a
	}
	errAns := func(typ string) apiAnswer { return apiAnswer{Status: "error", ErrorType: typ, Error: "boom"} }
	scalar := func(v string) apiAnswer {
		var a apiAnswer
		a.Status = "success"
		a.ResultType = "scalar"
		a.Result = json.RawMessage(`[10,"` + v + `"]`)
		return a
	}
	const (
		a1   = `{"metric":{"a":"1"},"value":[10,"1.5"]}`
		a1b  = `{"metric":{"a":"1"},"value":[10,"1.5000000001"]}`
		a1c  = `{"metric":{"a":"1"},"value":[10,"1.6"]}`
		a1t  = `{"metric":{"a":"1"},"value":[11,"1.5"]}`
		a2   = `{"metric":{"a":"2"},"value":[10,"NaN"]}`
		a2i  = `{"metric":{"a":"2"},"value":[10,"+Inf"]}`
		a3   = `{"metric":{"a":"3"},"value":[10,"1.5"]}`
		a4   = `{"metric":{"a":"4"},"value":[10,"7"]}`
		m1   = `{"metric":{"a":"1"},"values":[[10,"1"],[20,"2"]]}`
		m1sh = `{"metric":{"a":"1"},"values":[[10,"1"]]}`
		m1ts = `{"metric":{"a":"1"},"values":[[10,"1"],[25,"2"]]}`
		m0   = `{"metric":{"a":"1"},"values":[[10,"0"],[20,"2"]]}`
		m0z  = `{"metric":{"a":"1"},"values":[[10,"1e-12"],[20,"2"]]}`
	)
	for _, tc := range []struct {
		name       string
		want, got  apiAnswer
		inOrder    bool
		wantPasses bool
	}{
		{"same vector", vec(a1, a2), vec(a1, a2), false, true},
		{"unordered vector", vec(a1, a2), vec(a2, a1), false, true},
		{"ordered vector in another order", vec(a1, a4), vec(a4, a1), true, false},
		{"ordered vector, ties swapped", vec(a1, a3, a4), vec(a3, a1, a4), true, true},
		{"ordered vector in order", vec(a1, a4), vec(a1, a4), true, true},
		{"within tolerance", vec(a1), vec(a1b), false, true},
		{"value differs", vec(a1), vec(a1c), false, false},
		{"timestamp differs", vec(a1), vec(a1t), false, false},
		{"NaN vs Inf", vec(a2), vec(a2i), false, false},
		{"missing series", vec(a1, a2), vec(a1), false, false},
		{"other labels", vec(a1), vec(a3), false, false},
		{"empty vs empty", vec(), vec(), false, true},
		{"both errors", errAns("execution"), errAns("execution"), false, true},
		{"other error types", errAns("bad_data"), errAns("execution"), false, false},
		{"only overlook errors", vec(a1), errAns("execution"), false, false},
		{"only reference errors", errAns("execution"), vec(), false, false},
		{"result type", vec(), mat(), false, false},
		{"same matrix", mat(m1), mat(m1), false, true},
		{"fewer points", mat(m1), mat(m1sh), false, false},
		{"point timestamps", mat(m1), mat(m1ts), false, false},
		{"absolute tolerance near zero", mat(m0), mat(m0z), false, true},
		{"zero vs one", mat(m0), mat(m1), false, false},
		{"same scalar", scalar("3"), scalar("3"), false, true},
		{"scalar differs", scalar("3"), scalar("4"), false, false},
		{"scalar NaN", scalar("NaN"), scalar("NaN"), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := compareAnswers(tc.want, tc.got, tc.inOrder)
			if (msg == "") != tc.wantPasses {
				t.Errorf("compareAnswers = %q, want pass %v", msg, tc.wantPasses)
			}
		})
	}
}

func TestOrdered(t *testing.T) {
	for q, want := range map[string]bool{
		`sort(up)`:           true,
		`(sort_desc(up))`:    true,
		`sum(sort(up))`:      false,
		`topk(2, up)`:        false,
		`up`:                 false,
		`not a query (`:      false,
		`sort(up) + on() up`: false,
	} {
		if got := ordered(q); got != want {
			t.Errorf("ordered(%q) = %v, want %v", q, got, want)
		}
	}
}
