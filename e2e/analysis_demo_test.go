package e2e

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/demo"
)

// Exact answers of the analysis endpoints on the seeded demo (the small,
// fixed config of demoConfig): every number comes from demo.Expected or
// is computed from it, none is a loose bound.
//
// The demo's payment story: the visa cache fills over 30 min (visa
// charges over 200 ms from about 40 % full), is full for 15 min (every
// visa charge fails with demo.MsgCacheFull, checkout and frontend log the
// failure), then the payment pod restarts.
func TestDemoAnalysisExact(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	cfg, extra := demoConfig(now)
	want, from, to := demo.Expected(cfg)
	pay := want.SpansByService["payment"]
	if want.OrderFailedLogs == 0 || want.SlowCharges == 0 || want.SlowVisaCharges != want.SlowCharges || pay == 0 {
		t.Fatalf("BUG: the test's demo config lacks failed orders or slow (all visa) charges: %+v", want)
	}
	s := startDemo(t, extra)
	scope := func(source, query string) map[string]any {
		return map[string]any{"source": source, "query": query,
			"start": from.Add(-time.Minute).Format(time.RFC3339), "end": to.Add(time.Minute).Format(time.RFC3339)}
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	type pattern struct {
		Pattern    string           `json:"pattern"`
		Count      int              `json:"count"`
		ErrorCount int              `json:"errorCount"`
		Services   []string         `json:"services"`
		Samples    []map[string]any `json:"samples"`
		Series     [][2]float64     `json:"series"`
	}
	type patternsResp struct {
		Patterns    []pattern `json:"patterns"`
		RowsScanned int       `json:"rowsScanned"`
		Sampled     bool      `json:"sampled"`
		Error       string    `json:"error"`
	}
	patterns := func(t *testing.T, body map[string]any) patternsResp {
		t.Helper()
		var r patternsResp
		if code := s.postJSON("/api/patterns", body, &r); code != http.StatusOK {
			t.Fatalf("POST /api/patterns %v: %d %s", body, code, r.Error)
		}
		return r
	}
	orderFailed := "Failed to place order: rpc error: code = Internal desc = " + demo.MsgChargeFail

	t.Run("patterns of error logs", func(t *testing.T) {
		r := patterns(t, with(scope("logs", "level:error"), "limit", 50))
		if r.RowsScanned != want.ErrorLogs || r.Sampled {
			t.Fatalf("rowsScanned %d sampled %v, want %d, false", r.RowsScanned, r.Sampled, want.ErrorLogs)
		}
		// The incident's three messages, one per service, every one an
		// error; then the product lookups that fail outside it (the rest
		// of the error logs, one frontend and one catalog log each).
		notFound := (want.ErrorLogs - want.OrderFailedLogs - want.CacheFullLogs - want.ChargeFailLogs) / 2
		type row struct {
			pattern, service string
			count            int
		}
		exp := []row{
			{orderFailed, "frontend", want.OrderFailedLogs},
			{demo.MsgCacheFull, "payment", want.CacheFullLogs},
			{demo.MsgChargeFail, "checkout", want.ChargeFailLogs},
			{"Failed to get product info: Product Not Found: <*>", "frontend", notFound},
			{"Product Not Found: <*>", "product-catalog", notFound},
		}
		// Sorted by count, then text.
		slices.SortStableFunc(exp, func(a, b row) int {
			if a.count != b.count {
				return b.count - a.count
			}
			return strings.Compare(a.pattern, b.pattern)
		})
		var got []row
		for _, p := range r.Patterns {
			got = append(got, row{p.Pattern, strings.Join(p.Services, ","), p.Count})
			if p.ErrorCount != p.Count {
				t.Errorf("pattern %q: errorCount %d of %d, want all errors", p.Pattern, p.ErrorCount, p.Count)
			}
		}
		if !slices.Equal(got, exp) {
			t.Fatalf("error log patterns:\n got %v\nwant %v", got, exp)
		}
		for _, p := range r.Patterns {
			sum := 0.0
			for _, pt := range p.Series {
				sum += pt[1]
			}
			if int(sum) != p.Count || len(p.Samples) == 0 || len(p.Samples) > 3 {
				t.Errorf("pattern %q: series sums to %v, %d samples; want %d, 1–3", p.Pattern, sum, len(p.Samples), p.Count)
			}
		}
		if s := r.Patterns[0].Samples[0]; s["ServiceName"] != "frontend" || s["Body"] != demo.MsgOrderFailed {
			t.Errorf("sample of %q: %v %v", orderFailed, s["ServiceName"], s["Body"])
		}
	})

	t.Run("patterns of all logs", func(t *testing.T) {
		r := patterns(t, with(scope("logs", ""), "limit", 200))
		if r.RowsScanned != want.Logs || r.Sampled {
			t.Fatalf("rowsScanned %d sampled %v, want %d, false", r.RowsScanned, r.Sampled, want.Logs)
		}
		// Every log is in exactly one pattern, and each pattern is one
		// service's: the per-service sums are the generator's.
		total, errs := 0, 0
		bySvc := map[string]int{}
		for _, p := range r.Patterns {
			if len(p.Services) != 1 {
				t.Errorf("pattern %q spans services %v", p.Pattern, p.Services)
			}
			total += p.Count
			errs += p.ErrorCount
			bySvc[p.Services[0]] += p.Count
		}
		if total != want.Logs || errs != want.ErrorLogs {
			t.Errorf("patterns count %d logs, %d errors; want %d, %d", total, errs, want.Logs, want.ErrorLogs)
		}
		for svc, n := range want.LogsByService {
			if bySvc[svc] != n {
				t.Errorf("%s: patterns count %d logs, want %d", svc, bySvc[svc], n)
			}
		}
		i := slices.IndexFunc(r.Patterns, func(p pattern) bool { return p.Pattern == orderFailed })
		if i < 0 || r.Patterns[i].Count != want.OrderFailedLogs {
			t.Fatalf("no %q pattern of %d logs", orderFailed, want.OrderFailedLogs)
		}
	})

	t.Run("patterns of payment spans", func(t *testing.T) {
		r := patterns(t, scope("traces", "ServiceName:payment"))
		got := fmt.Sprint(r.RowsScanned, r.Sampled)
		for _, p := range r.Patterns {
			got += fmt.Sprintf(" | %s %d %d %v", p.Pattern, p.Count, p.ErrorCount, p.Services)
		}
		exp := fmt.Sprintf("%d false | oteldemo.PaymentService/Charge %d 0 [payment] | oteldemo.PaymentService/Charge %s %d %d [payment]",
			pay, pay-want.FailedVisaCharges, demo.MsgCacheFull, want.FailedVisaCharges, want.FailedVisaCharges)
		if got != exp {
			t.Fatalf("payment span patterns:\n got %s\nwant %s", got, exp)
		}
	})

	type deltaValue struct {
		Value                 string
		Selection, Background float64
	}
	var deltas struct {
		SelectionCount  int  `json:"selectionCount"`
		BackgroundCount int  `json:"backgroundCount"`
		Sampled         bool `json:"sampled"`
		Attributes      []struct {
			Field  string       `json:"field"`
			Values []deltaValue `json:"values"`
			Score  float64      `json:"score"`
		} `json:"attributes"`
		Error string `json:"error"`
	}
	t.Run("deltas of payment spans over 200 ms", func(t *testing.T) {
		if code := s.postJSON("/api/deltas", with(scope("traces", "ServiceName:payment"), "selection", map[string]any{"durationMinMs": 200}), &deltas); code != http.StatusOK {
			t.Fatalf("POST /api/deltas: %d %s", code, deltas.Error)
		}
		bg := pay - want.SlowCharges
		if deltas.SelectionCount != want.SlowCharges || deltas.BackgroundCount != bg || deltas.Sampled {
			t.Fatalf("selection %d, background %d, sampled %v; want %d, %d, false", deltas.SelectionCount, deltas.BackgroundCount, deltas.Sampled, want.SlowCharges, bg)
		}
		top := deltas.Attributes[0]
		round := func(v float64) float64 { return math.Round(v*1e4) / 1e4 }
		// The score is the exact distance rounded once: 1 − visa's exact
		// background share, not 1 − its rounded share (they differ when the
		// share ends in a 5 at the fifth decimal, e.g. 11/32). Either way of
		// rounding a half is accepted.
		exact := float64(want.VisaCharges-want.SlowVisaCharges) / float64(bg)
		visaBg := round(exact)
		if top.Field != "SpanAttributes.app.payment.card_type" || top.Values[0].Value != "visa" || top.Values[0].Selection != 1 ||
			math.Abs(top.Values[0].Background-exact) > 0.5e-4+1e-9 || math.Abs(top.Score-(1-exact)) > 0.5e-4+1e-9 {
			t.Fatalf("top attribute %s %v score %v; want card_type with visa 1 / %v, score %v", top.Field, top.Values, top.Score, exact, 1-exact)
		}
		// The other card types: none in the selection, the rest of the
		// background between them.
		rest := 0.0
		for _, v := range top.Values[1:] {
			if v.Selection != 0 || (v.Value != "mastercard" && v.Value != "amex") {
				t.Errorf("card type %v in the selection", v)
			}
			rest += v.Background
		}
		if len(top.Values) != 3 || math.Abs(rest+visaBg-1) > 2e-4 {
			t.Errorf("card types %v: want visa, mastercard, amex summing to 1", top.Values)
		}
		for _, a := range deltas.Attributes[1:] {
			if a.Score >= top.Score {
				t.Errorf("%s scores %v, not below card_type's %v", a.Field, a.Score, top.Score)
			}
		}
	})

	t.Run("facets of payment spans", func(t *testing.T) {
		var r struct {
			Facets []struct {
				Field  string `json:"field"`
				Values []struct {
					Value string `json:"value"`
					Count int    `json:"count"`
				} `json:"values"`
				Distinct int  `json:"distinct"`
				More     bool `json:"more"`
			} `json:"facets"`
			RowsScanned int    `json:"rowsScanned"`
			Sampled     bool   `json:"sampled"`
			Error       string `json:"error"`
		}
		body := with(scope("traces", "ServiceName:payment"), "fields", []string{"ServiceName", "StatusCode", "SpanAttributes.app.payment.card_type", "ResourceAttributes.k8s.pod.name"})
		if code := s.postJSON("/api/facets", body, &r); code != http.StatusOK {
			t.Fatalf("POST /api/facets: %d %s", code, r.Error)
		}
		if r.RowsScanned != pay || r.Sampled || len(r.Facets) != 4 {
			t.Fatalf("rowsScanned %d sampled %v, %d facets; want %d, false, 4", r.RowsScanned, r.Sampled, len(r.Facets), pay)
		}
		get := func(i int, value string) int {
			for _, v := range r.Facets[i].Values {
				if v.Value == value {
					return v.Count
				}
			}
			return -1
		}
		sum := func(i int) (n int) {
			for _, v := range r.Facets[i].Values {
				n += v.Count
			}
			return n
		}
		if f := r.Facets[0]; f.Field != "ServiceName" || f.Distinct != 1 || get(0, "payment") != pay {
			t.Errorf("ServiceName facet %+v", f)
		}
		if f := r.Facets[1]; f.Field != "StatusCode" || f.Distinct != 2 || get(1, "Error") != want.FailedVisaCharges || get(1, "Unset") != pay-want.FailedVisaCharges {
			t.Errorf("StatusCode facet %+v, want Error %d, Unset %d", f, want.FailedVisaCharges, pay-want.FailedVisaCharges)
		}
		if f := r.Facets[2]; f.Field != "SpanAttributes.app.payment.card_type" || f.Distinct != 3 || get(2, "visa") != want.VisaCharges || sum(2) != pay {
			t.Errorf("card_type facet %+v, want visa %d of %d", f, want.VisaCharges, pay)
		}
		// One restart: two payment pods, the first one's before it.
		if f := r.Facets[3]; f.Field != "ResourceAttributes.k8s.pod.name" || f.Distinct != 2 || f.More || sum(3) != pay {
			t.Errorf("pod facet %+v, want 2 pods with %d spans", f, pay)
		}
	})

	t.Run("infrastructure of the payment pod at a cache-full error", func(t *testing.T) {
		var logs searchResult
		body := with(scope("logs", `ServiceName:payment AND "Visa cache full"`), "limit", 1)
		if code := s.postJSON("/api/search", body, &logs); code != http.StatusOK || len(logs.Rows) != 1 {
			t.Fatalf("search cache-full log: %d %s", code, logs.Error)
		}
		row := logs.Rows[0]
		resAttrs := row["ResourceAttributes"].(map[string]any)
		var r struct {
			Start, End string
			Matches    []struct{ Kind, Attribute, Value string }
			Missing    []string
			Panels     []struct {
				Kind, Title, Metric, Unit string
				Series                    []struct {
					Name   string
					Points [][2]float64
				}
			}
			Error string
		}
		if code := s.postJSON("/api/infrastructure", map[string]any{"resource": resAttrs, "time": row["Timestamp"], "window": "1h"}, &r); code != http.StatusOK {
			t.Fatalf("POST /api/infrastructure: %d %s", code, r.Error)
		}
		matches := fmt.Sprint(r.Matches)
		if exp := fmt.Sprint([]struct{ Kind, Attribute, Value string }{
			{"pod", "k8s.pod.uid", resAttrs["k8s.pod.uid"].(string)},
			{"node", "k8s.node.name", resAttrs["k8s.node.name"].(string)},
			{"host", "host.name", resAttrs["host.name"].(string)},
		}); matches != exp || len(r.Missing) != 0 {
			t.Fatalf("matches %s missing %v; want %s, none", matches, r.Missing, exp)
		}
		var metrics []string
		for _, p := range r.Panels {
			metrics = append(metrics, p.Kind+":"+p.Metric+":"+p.Unit)
		}
		if got := strings.Join(metrics, " "); got != "pod:k8s.pod.cpu.usage:{cpu} pod:k8s.pod.memory.usage:By node:k8s.node.cpu.usage:{cpu} node:k8s.node.memory.usage:By host:system.cpu.utilization:1 host:system.memory.usage:By" {
			t.Fatalf("panels %s", got)
		}
		// The pod's memory climbs to 370 MiB (± the generator's 1 %
		// jitter) while the cache is full, then the killed pod reports 0
		// once, at the restart (start + fill + full), its last point.
		mem := r.Panels[1].Series
		if len(mem) != 1 || mem[0].Name != "payment" {
			t.Fatalf("pod memory series %v", mem)
		}
		pts := mem[0].Points
		restart := from.Add(cfg.Incident.Fill + cfg.Incident.Full).Unix()
		top := 0.0
		for _, p := range pts {
			top = max(top, p[1])
		}
		const mib = 1 << 20
		if last := pts[len(pts)-1]; last != [2]float64{float64(restart), 0} || top < 370*0.99*mib || top > 370*1.01*mib {
			t.Fatalf("pod memory: last point %v, max %.1f MiB; want [%d 0], 370 MiB ± 1 %%", last, top/mib, restart)
		}
		// One point every metrics interval from the window's start to the restart.
		ws, _ := time.Parse(time.RFC3339Nano, r.Start)
		first := ws.Truncate(cfg.MetricsInterval)
		if first.Before(ws) {
			first = first.Add(cfg.MetricsInterval)
		}
		if n := int((restart-first.Unix())/int64(cfg.MetricsInterval/time.Second)) + 1; len(pts) != n {
			t.Errorf("pod memory: %d points, want %d (every %s from %s to the restart)", len(pts), n, cfg.MetricsInterval, first)
		}
	})
}
