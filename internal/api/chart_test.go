package api

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// addCacheGauge stores seed 001's gauge: visa_validation_cache.size of
// service payment, 1000·i at i minutes ago for i in 1..5 (so the newest
// point is the smallest: the cache was emptied).
func addCacheGauge(t *testing.T, a *Server) {
	t.Helper()
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "payment")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("visa_validation_cache.size")
	g := m.SetEmptyGauge()
	for i := 1; i <= 5; i++ {
		dp := g.DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(testNow.Add(-time.Duration(i) * time.Minute)))
		dp.SetDoubleValue(float64(1000 * i))
	}
	if err := a.opts.Store.InsertMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
}

func TestChart(t *testing.T) {
	srv, a := newTestServer(t)
	addCacheGauge(t, a)
	rng := `"start":"` + testNow.Add(-10*time.Minute).Format(time.RFC3339) + `","end":"` + testNow.Add(time.Minute).Format(time.RFC3339Nano) + `"`
	tests := []struct {
		name     string
		body     string
		code     int
		check    func(t *testing.T, out map[string]any)
		errSub   string
		field    string
		position float64 // -1: none
	}{
		{name: "seed max duration by card type", code: 200,
			body: `{"source":"traces","select":[{"aggFn":"max","valueExpression":"Duration"}],"where":"ServiceName:payment",
				"groupBy":"SpanAttributes['app.payment.card_type']","granularity":"1 minute",` + rng + `}`,
			check: func(t *testing.T, out map[string]any) {
				series := out["series"].([]any)
				if len(series) != 1 {
					t.Fatalf("series = %v", series)
				}
				s := series[0].(map[string]any)
				if s["name"] != "visa" || s["group"].(map[string]any)["SpanAttributes['app.payment.card_type']"] != "visa" {
					t.Errorf("series = %v", s)
				}
				max := 0.0
				for _, p := range s["points"].([]any) {
					if v, ok := p.([]any)[1].(float64); ok && v > max {
						max = v
					}
				}
				if max != 1e9 {
					t.Errorf("max Duration = %v, want 1e9 ns", max)
				}
				if meta := out["meta"].(map[string]any); meta["granularity"] != "1 minute" || meta["stepMillis"] != 60000.0 {
					t.Errorf("meta = %v", meta)
				}
			}},
		{name: "seed gauge max", code: 200,
			body: `{"source":"metrics","select":[{"aggFn":"max","metricName":"visa_validation_cache.size","metricType":"gauge"}],
				"where":"ServiceName:payment","displayType":"number",` + rng + `}`,
			check: func(t *testing.T, out map[string]any) {
				p := out["series"].([]any)[0].(map[string]any)["points"].([]any)[0].([]any)
				if p[1] != 5000.0 {
					t.Errorf("max cache size = %v, want 5000", p[1])
				}
			}},
		{name: "count per minute fills empty buckets with 0", code: 200,
			body: `{"source":"logs","select":[{"aggFn":"count"}],"granularity":"1 minute",` + rng + `}`,
			check: func(t *testing.T, out map[string]any) {
				pts := out["series"].([]any)[0].(map[string]any)["points"].([]any)
				total := 0.0
				for _, p := range pts {
					total += p.([]any)[1].(float64)
				}
				if len(pts) < 11 || total != 2 {
					t.Errorf("%d points totalling %v, want ≥ 11 totalling 2", len(pts), total)
				}
			}},
		{name: "ratio: share of charge spans as a number", code: 200,
			body: `{"source":"traces","seriesReturnType":"ratio","displayType":"number","select":[
				{"aggFn":"count","aggCondition":"SpanName:charge","alias":"charge"},{"aggFn":"count","alias":"spans"}],` + rng + `}`,
			check: func(t *testing.T, out map[string]any) {
				series := out["series"].([]any)
				s := series[0].(map[string]any)
				if len(series) != 1 || s["name"] != "charge / spans" || s["points"].([]any)[0].([]any)[1] != 0.5 {
					t.Errorf("series = %v, want one series charge / spans at 0.5", series)
				}
				if rt := out["meta"].(map[string]any)["seriesReturnType"]; rt != "ratio" {
					t.Errorf("meta.seriesReturnType = %v", rt)
				}
			}},
		{name: "ratio without two selects", code: 400,
			body:   `{"source":"traces","seriesReturnType":"ratio","select":[{"aggFn":"count"}],` + rng + `}`,
			errSub: "exactly two select items", field: "seriesReturnType", position: -1},
		{name: "bad value expression", code: 400, body: `{"source":"traces","select":[{"aggFn":"max","valueExpression":"Durration"}],` + rng + `}`,
			errSub: "did you mean Duration", field: "select[0].valueExpression", position: 0},
		{name: "syntax error in select where", code: 400,
			body:   `{"source":"traces","select":[{"aggFn":"count","where":"a:(b"}],` + rng + `}`,
			errSub: "select[0].where", field: "select[0].where", position: 4},
		{name: "bad groupBy", code: 400, body: `{"source":"traces","select":[{"aggFn":"count"}],"groupBy":["SpanAttributes['x'"],` + rng + `}`,
			errSub: "expected ']'", field: "groupBy[0]", position: 18},
		{name: "heatmap with groupBy", code: 400,
			body:   `{"source":"traces","displayType":"heatmap","select":[{"aggFn":"count","valueExpression":"Duration"}],"groupBy":"ServiceName",` + rng + `}`,
			errSub: "a heatmap shows one distribution and cannot be grouped: remove groupBy", field: "groupBy", position: -1},
		{name: "unknown aggFn", code: 400, body: `{"source":"traces","select":[{"aggFn":"median"}]}`, errSub: "unknown aggFn", field: "select[0].aggFn", position: -1},
		{name: "quantile without level", code: 400, body: `{"source":"traces","select":[{"aggFn":"quantile","valueExpression":"Duration"}]}`,
			errSub: "level", field: "select[0].level", position: -1},
		{name: "too many buckets", code: 400, body: `{"source":"logs","select":[{"aggFn":"count"}],"granularity":"1 second","start":"2026-01-01T00:00:00Z","end":"2026-01-02T00:00:00Z"}`,
			errSub: "86400 buckets", field: "granularity", position: -1},
		{name: "metrics without type", code: 400, body: `{"source":"metrics","select":[{"aggFn":"max","metricName":"x"}]}`,
			errSub: "metricType", field: "select[0].metricType", position: -1},
		{name: "unknown source", code: 400, body: `{"source":"spans","select":[{"aggFn":"count"}]}`, errSub: "unknown source", field: "source", position: -1},
		{name: "unknown JSON field", code: 400, body: `{"source":"logs","selekt":[]}`, errSub: "unknown field", position: -1},
		{name: "bad range", code: 400, body: `{"source":"logs","select":[{"aggFn":"count"}],"start":"yesterday"}`, errSub: "RFC 3339", position: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := do(t, "POST", srv.URL+"/api/chart", tc.body)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %v", code, tc.code, out)
			}
			if tc.code == 200 {
				tc.check(t, out)
				return
			}
			if msg, _ := out["error"].(string); !strings.Contains(msg, tc.errSub) {
				t.Errorf("error %q lacks %q", msg, tc.errSub)
			}
			if f, _ := out["field"].(string); f != tc.field {
				t.Errorf("field = %q, want %q", f, tc.field)
			}
			pos, has := out["position"]
			if has != (tc.position >= 0) || has && pos != tc.position {
				t.Errorf("position = %v (present %v), want %v", pos, has, tc.position)
			}
		})
	}
}

func TestValuesEndpoint(t *testing.T) {
	srv, a := newTestServer(t)
	addCacheGauge(t, a)
	get := func(q url.Values) (int, map[string]any) {
		return do(t, "GET", srv.URL+"/api/values?"+q.Encode(), "")
	}
	code, out := get(url.Values{"source": {"traces"}, "field": {"SpanAttributes['app.payment.card_type']"}})
	if code != 200 {
		t.Fatalf("status %d: %v", code, out)
	}
	vals := out["values"].([]any)
	if len(vals) != 1 || vals[0].(map[string]any)["value"] != "visa" || vals[0].(map[string]any)["count"] != 2.0 {
		t.Errorf("values = %v", vals)
	}
	code, out = get(url.Values{"source": {"metrics"}, "field": {"MetricName"}, "prefix": {"cache"}})
	if code != 200 {
		t.Fatalf("status %d: %v", code, out)
	}
	if v := out["values"].([]any); len(v) != 1 || v[0].(map[string]any)["type"] != "gauge" {
		t.Errorf("metric names = %v", v)
	}
	for _, tc := range []struct {
		q      url.Values
		code   int
		errSub string
	}{
		{url.Values{"source": {"spans"}, "field": {"x"}}, 400, "unknown source"},
		{url.Values{"source": {"logs"}}, 400, "field is required"},
		{url.Values{"source": {"logs"}, "field": {"lower("}}, 400, "invalid value discovery"},
		{url.Values{"source": {"logs"}, "field": {"Body"}, "limit": {"0"}}, 400, "positive integer"},
		{url.Values{"source": {"logs"}, "field": {"Body"}, "start": {"x"}}, 400, "RFC 3339"},
	} {
		code, out := get(tc.q)
		if code != tc.code {
			t.Errorf("%v: status %d, want %d (%v)", tc.q, code, tc.code, out)
			continue
		}
		if msg, _ := out["error"].(string); !strings.Contains(msg, tc.errSub) {
			t.Errorf("%v: error %q lacks %q", tc.q, msg, tc.errSub)
		}
	}
}
