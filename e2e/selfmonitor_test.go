package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

// selfConfig turns self-telemetry on, scraping every second so the test
// sees rates within seconds.
const selfConfig = `extensions:
  overlook:
    self_telemetry:
      enabled: true
      scrape_interval: 1s
`

// grafanaOverSelf is a Grafana dashboard over overlook's own metrics: a
// query variable and a rate() with $__rate_interval.
const grafanaOverSelf = `{"dashboard": {"title": "overlook from Grafana", "schemaVersion": 39,
 "templating": {"list": [{"name": "job", "type": "query", "query": "label_values(overlook_http_requests_total, job)",
   "datasource": {"type": "prometheus", "uid": "prom"}, "current": {"text": "overlook", "value": "overlook"}}]},
 "panels": [
  {"id": 1, "type": "timeseries", "title": "API requests", "datasource": {"type": "prometheus", "uid": "prom"},
   "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
   "targets": [{"refId": "A", "expr": "sum by (endpoint) (rate(overlook_http_requests_total{job=~\"$job\"}[$__rate_interval]))", "legendFormat": "{{endpoint}}"}]},
  {"id": 2, "type": "stat", "title": "Store healthy", "datasource": {"type": "prometheus", "uid": "prom"},
   "gridPos": {"x": 12, "y": 0, "w": 6, "h": 4},
   "targets": [{"refId": "A", "expr": "min(overlook_store_healthy{job=\"[[job]]\"})", "instant": true}]}
 ]}}`

type promSeries struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"`
}

// promRange runs a range query over the last 5 minutes at a 1s step.
func (s *server) promRange(q string) []promSeries {
	s.t.Helper()
	now := time.Now()
	var res struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []promSeries `json:"result"`
		} `json:"data"`
	}
	v := url.Values{"query": {q}, "start": {fmt.Sprint(now.Add(-5 * time.Minute).Unix())}, "end": {fmt.Sprint(now.Unix())}, "step": {"1"}}
	if code := s.getJSON("/prometheus/api/v1/query_range?"+v.Encode(), &res); code != http.StatusOK {
		s.t.Fatalf("query_range %s: %d %s", q, code, res.Error)
	}
	return res.Data.Result
}

// expand substitutes what the UI substitutes for a PromQL tile (web/src/dashboard/variables.ts).
func expand(expr string, vars map[string]string) string {
	pairs := []string{"$__rate_interval", "4s", "[[job]]", vars["job"], "${job}", vars["job"], "$job", vars["job"]}
	return strings.NewReplacer(pairs...).Replace(expr)
}

// TestSelfMonitoring: with self_telemetry on, overlook's API requests and
// PromQL queries are spans of service "overlook" (by route), its /metrics
// are stored and queryable with PromQL, a Grafana dashboard over them
// imports and its tile queries run, and the prepared "overlook" dashboard's
// queries answer. Storing its own spans creates none (no "ingest commit
// traces" span: they never pass the exporter).
func TestSelfMonitoring(t *testing.T) {
	s := newServer(t, selfConfig)
	s.start()

	// Requests to trace.
	var list struct {
		Dashboards []struct {
			ID, Name string
			Tiles    []struct {
				Config struct {
					Name    string `json:"name"`
					Source  string `json:"source"`
					Queries []struct {
						Expr string `json:"expr"`
					} `json:"queries"`
				} `json:"config"`
			} `json:"tiles"`
		} `json:"dashboards"`
	}
	if code := s.getJSON("/api/dashboards", &list); code != 200 {
		t.Fatalf("list dashboards: %d", code)
	}
	var imported struct {
		Dashboard struct {
			ID        string `json:"id"`
			Variables []struct {
				Name, Type, LabelName, Match string
			} `json:"variables"`
			Tiles []struct {
				Config struct {
					Name    string `json:"name"`
					Queries []struct {
						Expr    string `json:"expr"`
						Instant bool   `json:"instant"`
					} `json:"queries"`
				} `json:"config"`
			} `json:"tiles"`
		} `json:"dashboard"`
		Unmapped []map[string]string `json:"unmapped"`
	}
	resp, err := http.Post("http://"+s.api+"/api/dashboards/import/grafana", "application/json", strings.NewReader(grafanaOverSelf))
	if err != nil {
		t.Fatal(err)
	}
	if code := decode(t, resp, &imported); code != http.StatusCreated || len(imported.Unmapped) != 0 || len(imported.Dashboard.Tiles) != 2 {
		t.Fatalf("import: %d %+v", code, imported)
	}
	s.promRange("up")

	// Spans of those requests, under the service name, by route.
	// The self-scrape's rows pass the store exporter: its commits are spans.
	want := []string{"GET /api/dashboards", "POST /api/dashboards/import/grafana", "GET /prometheus/api/v1/query_range", "ingest commit metrics"}
	var names []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := s.search("traces", "ServiceName:overlook")
		names = names[:0]
		for _, r := range res.Rows {
			names = append(names, fmt.Sprint(r["SpanName"]))
		}
		if !slices.ContainsFunc(want, func(w string) bool { return !slices.Contains(names, w) }) || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, w := range want {
		if !slices.Contains(names, w) {
			t.Errorf("no span %q of service overlook; spans: %q", w, names)
		}
	}
	for _, n := range names {
		if n == "GET /metrics" || n == "ingest commit traces" {
			t.Errorf("span %q: scrapes are not traced, and overlook's own spans never pass the exporter", n)
		}
	}

	// overlook's metrics, scraped into the store, through PromQL; the
	// imported dashboard's variable values and tile queries.
	var jobs struct {
		Data []string `json:"data"`
	}
	v := imported.Dashboard.Variables
	if len(v) != 1 || v[0].Type != "label_values" || v[0].LabelName != "job" || v[0].Match != "overlook_http_requests_total" {
		t.Fatalf("variables %+v", v)
	}
	eventually20(t, "the job label of overlook's own metrics", func() bool {
		s.getJSON("/prometheus/api/v1/label/job/values?"+url.Values{"match[]": {v[0].Match}}.Encode(), &jobs)
		return slices.Contains(jobs.Data, "overlook")
	})
	vars := map[string]string{"job": "overlook"}
	tile := imported.Dashboard.Tiles[0].Config.Queries[0].Expr
	if tile != `sum by (endpoint) (rate(overlook_http_requests_total{job=~"$job"}[$__rate_interval]))` {
		t.Errorf("tile query %s", tile)
	}
	eventually20(t, "the imported tile's query to return per-endpoint rates", func() bool {
		for _, sr := range s.promRange(expand(tile, vars)) {
			if sr.Metric["endpoint"] == "dashboards_import_grafana" {
				return true
			}
		}
		return false
	})
	if got := s.promRange(expand(imported.Dashboard.Tiles[1].Config.Queries[0].Expr, vars)); len(got) != 1 {
		t.Errorf("store healthy tile: %d series", len(got))
	}

	// The prepared "overlook" dashboard: every query answers; ingest rate
	// shows the self-scrape's metric rows.
	idx := slices.IndexFunc(list.Dashboards, func(d struct {
		ID, Name string
		Tiles    []struct {
			Config struct {
				Name    string `json:"name"`
				Source  string `json:"source"`
				Queries []struct {
					Expr string `json:"expr"`
				} `json:"queries"`
			} `json:"config"`
		} `json:"tiles"`
	}) bool {
		return d.Name == "overlook"
	})
	if idx < 0 {
		t.Fatalf("no prepared overlook dashboard")
	}
	for _, tl := range list.Dashboards[idx].Tiles {
		for _, q := range tl.Config.Queries {
			s.promRange(expand(q.Expr, vars)) // fails the test on an error answer
		}
	}
	eventually20(t, "the ingest-rate tile to show metric rows", func() bool {
		for _, sr := range s.promRange(expand(list.Dashboards[idx].Tiles[0].Config.Queries[0].Expr, vars)) {
			if sr.Metric["signal"] == "metrics" {
				return true
			}
		}
		return false
	})
}

// rulesEngineMetrics were allowed to be absent before the rules engine was
// merged; now none is (kept empty so a future pending metric is listed here
// with its reason).
var rulesEngineMetrics = map[string]bool{}

// TestSelfRulesMetricsExported: every metric examples/overlook/self_rules.yml
// and the prepared "overlook" dashboard read is on a running overlook's
// /metrics.
func TestSelfRulesMetricsExported(t *testing.T) {
	// The shipped self rules are loaded, as a user would: the rules
	// engine's per-group metrics (prometheus_rule_evaluation_failures_total)
	// exist only for loaded groups.
	rules, err := filepath.Abs("../examples/overlook/self_rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, fmt.Sprintf("extensions:\n  overlook:\n    alerting:\n      rule_files: [%s]\n      evaluation_interval: 1s\n", rules))
	s.start()
	p := parser.NewParser(parser.Options{})
	groups, errs := rulefmt.ParseFile("../examples/overlook/self_rules.yml", false, model.UTF8Validation, p, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var exprs []string
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	var list struct {
		Dashboards []struct {
			Name  string `json:"name"`
			Tiles []struct {
				Config struct {
					Queries []struct {
						Expr string `json:"expr"`
					} `json:"queries"`
				} `json:"config"`
			} `json:"tiles"`
		} `json:"dashboards"`
	}
	s.getJSON("/api/dashboards", &list)
	for _, d := range list.Dashboards {
		if d.Name != "overlook" {
			continue
		}
		for _, tl := range d.Tiles {
			for _, q := range tl.Config.Queries {
				exprs = append(exprs, expand(q.Expr, map[string]string{"job": "overlook"}))
			}
		}
	}
	if len(exprs) < 15 {
		t.Fatalf("%d expressions: rules or dashboard missing", len(exprs))
	}
	metrics := map[string]bool{}
	for _, e := range exprs {
		expr, err := p.ParseExpr(e)
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
			if vs, ok := n.(*parser.VectorSelector); ok {
				metrics[vs.Name] = true
			}
			return nil
		})
	}
	exposed := exposedSeries(t, s)
	var missing, pending []string
	for m := range metrics {
		switch {
		case exposed[m]:
		case rulesEngineMetrics[m]:
			pending = append(pending, m)
		default:
			missing = append(missing, m)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("rules or the overlook dashboard read metrics overlook does not export: %v", missing)
	}
	if len(pending) > 0 {
		t.Logf("not yet exported (the rules engine's, issue 13 §1): %v", pending)
	}
}

// exposedSeries lists the series names on /metrics (histograms as their
// _bucket, _sum and _count series).
func exposedSeries(t *testing.T, s *server) map[string]bool {
	t.Helper()
	resp, err := http.Get("http://" + s.api + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]bool{}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, _, _ := strings.Cut(string(line), "{")
		name, _, _ = strings.Cut(name, " ")
		out[name] = true
	}
	return out
}

// TestGrafanaSeedImport: seed 002's DAG Manager dashboard imports through
// the binary with the same tiles and unmapped list as the golden file.
func TestGrafanaSeedImport(t *testing.T) {
	s := newServer(t, "")
	s.start()
	seed, err := os.ReadFile("../internal/meta/grafana/testdata/qmtl_dagmanager.json")
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile("../internal/meta/grafana/testdata/qmtl_dagmanager.golden")
	if err != nil {
		t.Fatal(err)
	}
	var want, got struct {
		Dashboard struct {
			Tiles []struct {
				X, Y, W, H int
				Config     json.RawMessage `json:"config"`
			} `json:"tiles"`
			Variables json.RawMessage `json:"variables"`
		} `json:"dashboard"`
		Unmapped json.RawMessage `json:"unmapped"`
	}
	if err := json.Unmarshal(golden, &want); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+s.api+"/api/dashboards/import/grafana", "application/json", bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	if code := decode(t, resp, &got); code != http.StatusCreated {
		t.Fatalf("import: %d", code)
	}
	if len(got.Dashboard.Tiles) != len(want.Dashboard.Tiles) || len(got.Dashboard.Tiles) != 11 {
		t.Fatalf("%d tiles, golden has %d", len(got.Dashboard.Tiles), len(want.Dashboard.Tiles))
	}
	for i := range want.Dashboard.Tiles {
		w, g := want.Dashboard.Tiles[i], got.Dashboard.Tiles[i]
		if w.X != g.X || w.Y != g.Y || w.W != g.W || w.H != g.H || !jsonEqual(w.Config, g.Config) {
			t.Errorf("tile %d: got %+v %s, golden %+v %s", i, g, g.Config, w, w.Config)
		}
	}
	if !jsonEqual(want.Unmapped, got.Unmapped) || !jsonEqual(want.Dashboard.Variables, got.Dashboard.Variables) {
		t.Errorf("unmapped or variables differ from the golden file:\n%s\n%s", got.Unmapped, got.Dashboard.Variables)
	}
	// Not a dashboard: 400 naming the problem.
	resp, err = http.Post("http://"+s.api+"/api/dashboards/import/grafana", "application/json", strings.NewReader(`{"hello":1}`))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Error string `json:"error"`
	}
	if code := decode(t, resp, &e); code != http.StatusBadRequest || !strings.Contains(e.Error, "no title, panels or rows") {
		t.Errorf("non-dashboard: %d %q", code, e.Error)
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

// eventually20 retries f until it returns true or 20s pass (scrapes and
// span batches take a few seconds).
func eventually20(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 20s waiting for %s", what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
