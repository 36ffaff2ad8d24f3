package promapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// An answer over MaxResponseBytes is refused with Prometheus's envelope:
// 422, errorType "execution", naming the limit and its key.
func TestResponseCap(t *testing.T) {
	h := &Handler{opts: Options{MaxResponseBytes: 2000}}
	var m promql.Matrix
	for i := range 100 {
		m = append(m, promql.Series{Metric: labels.FromStrings("__name__", "up", "i", strings.Repeat("x", i)),
			Floats: []promql.FPoint{{T: 1000, F: 1}}})
	}
	for name, data := range map[string]any{
		"matrix": &queryData{ResultType: parser.ValueTypeMatrix, Result: m},
		"labels": []string{strings.Repeat("a", 1500), strings.Repeat("b", 1500)},
	} {
		rec := httptest.NewRecorder()
		err := h.writeSuccess(rec, result{data: data})
		if err == nil || err.typ != errorExec || !strings.Contains(err.Error(), "extensions::overlook::query::max_response_bytes") {
			t.Fatalf("%s: err = %v, want execution error naming the key", name, err)
		}
		if rec.Body.Len() != 0 {
			t.Fatalf("%s: %d bytes sent before the refusal", name, rec.Body.Len())
		}
		writeError(rec, err)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `"errorType":"execution"`) {
			t.Fatalf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	rec := httptest.NewRecorder()
	if err := h.writeSuccess(rec, result{data: []string{"a", "b"}}); err != nil || rec.Body.String() != `{"status":"success","data":["a","b"]}` {
		t.Fatalf("small answer: %v %q", err, rec.Body)
	}
}
