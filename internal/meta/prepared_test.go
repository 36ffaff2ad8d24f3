package meta

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/overlook-dev/overlook/internal/query"
)

// TestPreparedPromQL: every query of a prepared PromQL tile parses once
// its variables are substituted, and names only defined variables.
func TestPreparedPromQL(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	n := 0
	for key, d := range Prepared() {
		vars := map[string]bool{}
		for _, v := range d.Variables {
			vars[v.Name] = true
		}
		for _, tile := range d.Tiles {
			for _, q := range tile.Config.Queries {
				n++
				expr := strings.NewReplacer("$__rate_interval", "1m", "$job", "overlook").Replace(q.Expr)
				if strings.Contains(expr, "$") {
					t.Errorf("%s %q: unknown variable left in %s", key, tile.Config.Name, expr)
				}
				if _, err := p.ParseExpr(expr); err != nil {
					t.Errorf("%s %q: %v", key, tile.Config.Name, err)
				}
			}
		}
		if len(vars) > 0 && !vars["job"] {
			t.Errorf("%s: variables %v", key, vars)
		}
	}
	if n < 9 {
		t.Errorf("%d prepared PromQL queries, want the overlook dashboard's 11", n)
	}
}

// TestPreparedTilesPlan: every prepared tile is a valid chart request (as
// the UI sends it: the tile config without name and numberFormat).
func TestPreparedTilesPlan(t *testing.T) {
	t0 := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for key, d := range Prepared() {
		for i, tile := range d.Tiles {
			if tile.Config.Source == SourcePromQL {
				continue // TestPreparedPromQL
			}
			raw, err := json.Marshal(tile.Config)
			if err != nil {
				t.Fatal(err)
			}
			var req query.ChartRequest
			if err := json.Unmarshal(raw, &req); err != nil {
				t.Fatalf("%s tiles[%d]: %v", key, i, err)
			}
			if _, err := query.PlanChart(&req, t0, t0.Add(time.Hour), query.DuckDB); err != nil {
				t.Errorf("%s tiles[%d] (%s): %v", key, i, tile.Config.Name, err)
			}
		}
	}
}

func TestServicesREDErrorRate(t *testing.T) {
	c := servicesRED().Tiles[1].Config
	if c.SeriesReturnType != "ratio" || len(c.Select) != 2 || c.Select[0].AggCondition == "" || c.Select[1].AggCondition != "" ||
		len(c.GroupBy) != 1 || c.GroupBy[0] != "ServiceName" || c.NumberFormat == nil || c.NumberFormat.Output != "percent" {
		t.Fatalf("RED error tile is not errors / requests per service in percent: %+v", c)
	}
}

// TestServicesREDServerSpansOnly: every tile of Services (RED) counts server
// spans only (issue 11: the per-service table counted client spans too,
// doubling checkout's requests and errors against the other tiles), and no
// tile or column names a unit the UI does not show (it said "p95 (ns)" over
// values shown in ms).
func TestServicesREDServerSpansOnly(t *testing.T) {
	for i, tile := range servicesRED().Tiles {
		c := tile.Config
		if c.Where != `SpanKind:"Server"` || c.WhereLanguage != "lucene" {
			t.Errorf("tiles[%d] (%s): where %q (%s), want SpanKind:\"Server\" (lucene)", i, c.Name, c.Where, c.WhereLanguage)
		}
		names := []string{c.Name}
		for _, s := range c.Select {
			names = append(names, s.Alias)
		}
		for _, n := range names {
			if strings.Contains(n, "(ns)") || strings.Contains(n, "(ms)") {
				t.Errorf("tiles[%d]: %q names a unit; durations are shown with their own unit", i, n)
			}
		}
	}
}
