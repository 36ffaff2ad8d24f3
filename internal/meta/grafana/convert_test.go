package grafana

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/overlook-dev/overlook/internal/meta"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden is what a golden file holds: the converted dashboard and the
// unmapped list, as the import API returns them.
type golden struct {
	Dashboard meta.Dashboard `json:"dashboard"`
	Unmapped  []Unmapped     `json:"unmapped"`
}

// TestGolden converts seed 002's QMTL dashboards (testdata/*.json) and
// compares with testdata/*.golden (refresh with -update).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Convert(raw)
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			got, err := json.MarshalIndent(golden{res.Dashboard, res.Unmapped}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := strings.TrimSuffix(f, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run with -update and review the diff):\n%s", f, path, got)
			}
		})
	}
}

// unmappedReasons collects the reasons noted for one panel.
func unmappedReasons(res Result, panel string) []string {
	var out []string
	for _, u := range res.Unmapped {
		if u.Panel == panel {
			out = append(out, u.Reason)
		}
	}
	return out
}

func tileNamed(res Result, name string) *meta.Tile {
	for i := range res.Dashboard.Tiles {
		if res.Dashboard.Tiles[i].Config.Name == name {
			return &res.Dashboard.Tiles[i]
		}
	}
	return nil
}

// TestSeedDashboard asserts the mapping of seed 002's DAG Manager
// dashboard point by point (the golden file holds all of it).
func TestSeedDashboard(t *testing.T) {
	raw, err := os.ReadFile("testdata/qmtl_dagmanager.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert(raw)
	if err != nil {
		t.Fatal(err)
	}
	d := res.Dashboard
	if d.Name != "QMTL DAG Manager" || d.TimeRange != "6h" {
		t.Errorf("name %q range %q", d.Name, d.TimeRange)
	}
	var names []string
	for _, v := range d.Variables {
		names = append(names, v.Name+":"+v.Type)
	}
	if got, want := strings.Join(names, " "), "job:label_values topic:label_values node:query_result window:interval quantile:custom"; got != want {
		t.Errorf("variables %q, want %q", got, want)
	}
	// Tiles kept, in layout order: the collapsed row's panels sit under it
	// and push the panels after it down by their height (14 units).
	cases := []struct {
		name       string
		display    string
		x, y, w, h int
		exprs      []string
	}{
		{"Queues", "markdown", 0, 0, 24, 1, nil},
		{"Orphan queues", "line", 0, 1, 12, 8, []string{`sum by (job) (orphan_queue_total{job=~"$job"})`, `sum(increase(orphan_queue_total{job=~"${job}"}[3h]))`}},
		{"Diff failure rate", "number", 12, 1, 6, 4, []string{`sum(rate(diff_failures_total[$__rate_interval])) / sum(rate(diff_requests_total[$__rate_interval]))`}},
		{"Node cache memory", "number", 18, 1, 6, 4, []string{`nodecache_resident_bytes{scope="total"} / 1073741824`}},
		{"Queue lag by topic", "table", 12, 5, 12, 4, []string{`max by (topic) (queue_lag_seconds{topic=~"${topic}"})`}},
		{"Diff processing", "markdown", 0, 9, 24, 1, nil},
		{"Diff p95 latency", "line", 0, 10, 12, 8, []string{"diff_duration_ms_p95"}},
		{"Node processing p$quantile", "stacked_bar", 12, 10, 12, 8, []string{`histogram_quantile($quantile, sum by (le, node_id) (rate(node_process_duration_ms_bucket{node_id=~"$node"}[$window])))`}},
		{"Throughput per job", "table", 0, 18, 24, 6, []string{`sum by (job) (rate(diff_requests_total[5m])) * 60`}},
		{"GC and errors", "line", 0, 18 + 14, 12, 8, []string{`time() - gc_last_run_timestamp`, `rate(queue_create_error_total{cluster="$cluster"}[5m]`}},
		{"Runbook", "markdown", 0, 26 + 14, 24, 3, nil},
	}
	if len(d.Tiles) != len(cases) {
		t.Fatalf("%d tiles, want %d: %+v", len(d.Tiles), len(cases), d.Tiles)
	}
	for i, c := range cases {
		tl := d.Tiles[i]
		if tl.Config.Name != c.name || tl.Config.DisplayType != c.display || tl.X != c.x || tl.Y != c.y || tl.W != c.w || tl.H != c.h {
			t.Errorf("tile %d = %q %s (%d,%d %dx%d), want %q %s (%d,%d %dx%d)", i, tl.Config.Name, tl.Config.DisplayType,
				tl.X, tl.Y, tl.W, tl.H, c.name, c.display, c.x, c.y, c.w, c.h)
		}
		var exprs []string
		for _, q := range tl.Config.Queries {
			exprs = append(exprs, q.Expr)
		}
		if strings.Join(exprs, "\n") != strings.Join(c.exprs, "\n") {
			t.Errorf("tile %q exprs %q, want %q", c.name, exprs, c.exprs)
		}
	}
	if tl := tileNamed(res, "Diff failure rate"); tl.Config.NumberFormat == nil || tl.Config.NumberFormat.Output != "percent" || tl.Config.Reduce != "last" {
		t.Errorf("stat tile format %+v reduce %q", tl.Config.NumberFormat, tl.Config.Reduce)
	}
	if tl := tileNamed(res, "Node cache memory"); !tl.Config.Queries[0].Instant || tl.Config.Reduce != "max" {
		t.Errorf("gauge tile %+v", tl.Config)
	}
	// Everything not carried over is listed, per panel.
	want := map[string][]string{
		"$filters":                   {`variable type "adhoc" is not supported`},
		"Node cache memory":          {"only the first reduce calculation (max) is shown"},
		"Node processing p$quantile": {"query B is hidden in Grafana", "repeats by $node"},
		"Throughput per job":         {"transformations are not applied (organize, merge)"},
		"DAG Manager logs":           {`panel type "logs" is not supported`},
		"GC and errors":              {"query B uses datasource type loki", "query C: $cluster is not a variable", "query C: not valid PromQL"},
		"Node latency heatmap":       {`panel type "heatmap" is not supported`},
		"Cross-context cache hits":   {"library panel"},
	}
	for panel, subs := range want {
		got := strings.Join(unmappedReasons(res, panel), " | ")
		for _, s := range subs {
			if !strings.Contains(got, s) {
				t.Errorf("unmapped for %q = %q, want it to mention %q", panel, got, s)
			}
		}
	}
	if n := len(res.Unmapped); n != 11 {
		t.Errorf("%d unmapped entries, want 11: %+v", n, res.Unmapped)
	}
}

func TestConvertTable(t *testing.T) {
	cases := []struct {
		name     string
		doc      string
		err      string
		tiles    int
		unmapped []string
	}{
		{name: "not JSON", doc: `{`, err: "not a JSON object"},
		{name: "array", doc: `[]`, err: "not a JSON object"},
		{name: "not a dashboard", doc: `{"foo":1}`, err: "no title, panels or rows"},
		{name: "empty dashboard", doc: `{"title":"x"}`, tiles: 0},
		{name: "wrapped", doc: `{"dashboard":{"title":"x","panels":[{"type":"stat","targets":[{"expr":"up"}]}]}}`, tiles: 1},
		{name: "default datasource is Prometheus", doc: `{"panels":[{"type":"timeseries","targets":[{"refId":"A","expr":"rate(x[5m])"}]}]}`, tiles: 1},
		{name: "named non-prometheus datasource", doc: `{"panels":[{"title":"p","type":"timeseries","datasource":"Elasticsearch logs","targets":[{"refId":"A","query":"*"}]}]}`,
			unmapped: []string{"query A uses datasource type elasticsearch", "panel not imported"}},
		{name: "expression datasource", doc: `{"panels":[{"title":"p","type":"timeseries","targets":[{"refId":"A","expr":"up"},{"refId":"B","datasource":{"type":"__expr__","uid":"__expr__"},"expression":"$A*2"}]}]}`,
			tiles: 1, unmapped: []string{"query B uses datasource type expression"}},
		{name: "label_names and metrics variables", doc: `{"templating":{"list":[{"name":"l","type":"query","query":"label_names()"},{"name":"m","type":"query","query":"metrics(^go_.*)"}]},"panels":[]}`},
		{name: "JavaScript regex kept", doc: `{"title":"t","templating":{"list":[{"name":"l","type":"query","query":"label_values(job)","regex":"/^(?!__).*/"}]}}`},
		{name: "malformed label_values", doc: `{"title":"t","templating":{"list":[{"name":"l","type":"query","query":"label_values(a b c)"}]}}`,
			unmapped: []string{"not a well-formed"}},
		{name: "bad variable name", doc: `{"title":"t","templating":{"list":[{"name":"a-b","type":"custom","query":"1,2"}]}}`,
			unmapped: []string{"not a word"}},
		{name: "unsupported format", doc: `{"templating":{"list":[{"name":"j","type":"custom","query":"a,b"}]},"panels":[{"title":"p","type":"stat","targets":[{"refId":"A","expr":"up{job=~\"${j:csv}\"}"}]}]}`,
			tiles: 1, unmapped: []string{`format "csv" of $j`}},
		{name: "label_replace group is not a variable", doc: `{"panels":[{"type":"table","targets":[{"refId":"A","expr":"label_replace(up, \"x\", \"$1\", \"job\", \"(.*)\")"}]}]}`, tiles: 1},
		{name: "panel nested in row not collapsed", doc: `{"panels":[{"type":"row","title":"r","panels":[{"type":"stat"}]}]}`, tiles: 1,
			unmapped: []string{"expanded row lists nested panels"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Convert([]byte(c.doc))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Dashboard.Tiles) != c.tiles {
				t.Errorf("%d tiles, want %d", len(res.Dashboard.Tiles), c.tiles)
			}
			var reasons []string
			for _, u := range res.Unmapped {
				reasons = append(reasons, u.Reason)
			}
			if len(reasons) != len(c.unmapped) {
				t.Errorf("unmapped %q, want %d entries matching %q", reasons, len(c.unmapped), c.unmapped)
			}
			all := strings.Join(reasons, " | ")
			for _, s := range c.unmapped {
				if !strings.Contains(all, s) {
					t.Errorf("unmapped %q lacks %q", all, s)
				}
			}
		})
	}
}

func TestCustomOptions(t *testing.T) {
	got := customOptions(`a, b : 2, c\,d`)
	want := []meta.VariableOption{{Text: "a", Value: "a"}, {Text: "b", Value: "2"}, {Text: "c,d", Value: "c,d"}}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("option %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// FuzzConvert: any input either fails with ErrInvalid or converts into a
// dashboard whose tiles fit the grid and whose unmapped entries have a reason.
func FuzzConvert(f *testing.F) {
	for _, p := range []string{"testdata/qmtl_dagmanager.json", "testdata/qmtl_gateway_legacy.json"} {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"panels":[{"type":"row","collapsed":true,"gridPos":{"y":-5,"h":-1},"panels":[{"type":"stat","gridPos":{"x":99,"w":99},"targets":[{"expr":"$x[$y]"}]}]}]}`))
	f.Add([]byte(`{"rows":[{"height":"1e9px","panels":[{"span":-3,"type":"graph","targets":[{"expr":"[[a:b]]"}]}]}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		res, err := Convert(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not wrapping ErrInvalid: %v", err)
			}
			return
		}
		if len(res.Dashboard.Tiles) > MaxPanels {
			t.Fatalf("%d tiles", len(res.Dashboard.Tiles))
		}
		for _, tl := range res.Dashboard.Tiles {
			if tl.X < 0 || tl.W < 1 || tl.X+tl.W > cols || tl.Y < 0 || tl.H < 1 || tl.H > maxH {
				t.Fatalf("tile off the grid: %+v", tl)
			}
			if tl.Config.Source == meta.SourcePromQL && len(tl.Config.Queries) == 0 {
				t.Fatalf("promql tile without queries: %+v", tl)
			}
		}
		for _, u := range res.Unmapped {
			if u.Reason == "" || u.Panel == "" {
				t.Fatalf("unmapped entry without panel or reason: %+v", u)
			}
		}
		if _, err := json.Marshal(res.Dashboard); err != nil {
			t.Fatal(err)
		}
	})
}
