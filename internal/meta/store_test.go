package meta

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestStoreCRUDDurable(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	d, err := s.Create(Dashboard{Name: "A", Tiles: []Tile{{W: 6, H: 4, Config: TileConfig{Name: "t", Source: "logs"}}}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if d.ID == "" || d.Tiles[0].ID == "" || d.CreatedAt.IsZero() {
		t.Fatalf("create did not fill ID/tile ID/CreatedAt: %+v", d)
	}
	if _, err := s.Update(d.ID, Dashboard{Name: "B"}); err != nil {
		t.Fatalf("update: %v", err)
	}
	dup, err := s.Duplicate(d.ID)
	if err != nil || dup.Name != "B (copy)" || dup.ID == d.ID {
		t.Fatalf("duplicate = %+v, %v", dup, err)
	}
	// Reopen: everything is on disk.
	s2, err := Open(dir)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	got, err := s2.Get(d.ID)
	if err != nil || got.Name != "B" || !got.CreatedAt.Equal(d.CreatedAt) {
		t.Fatalf("after reopen Get = %+v, %v", got, err)
	}
	if n := len(s2.List()); n != 2 {
		t.Fatalf("List after reopen has %d dashboards, want 2", n)
	}
	if err := s2.Delete(d.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := s2.Get(d.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after delete: %v, want ErrNotFound", err)
	}
	for _, op := range []func() error{
		func() error { return s2.Delete("nope") },
		func() error { _, err := s2.Update("nope", Dashboard{}); return err },
		func() error { _, err := s2.Duplicate("nope"); return err },
	} {
		if err := op(); !errors.Is(err, ErrNotFound) {
			t.Fatalf("op on unknown ID: %v, want ErrNotFound", err)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

func TestOpenCorruptFileFails(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, fileName), []byte("{torn"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil {
		t.Fatalf("Open of a corrupt file succeeded")
	}
}

func TestSeedIdempotent(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	for i := 0; i < 2; i++ {
		if err := s.Seed(Prepared()); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}
	list := s.List()
	if len(list) != 3 || list[0].Name != "Services (RED)" || list[1].Name != "Temporal Cloud" || list[2].Name != "overlook" {
		t.Fatalf("after seeding twice: %d dashboards %v", len(list), list)
	}
	// A deleted prepared dashboard stays deleted across restarts.
	if err := s.Delete(list[0].ID); err != nil {
		t.Fatal(err)
	}
	s2, _ := Open(dir)
	if err := s2.Seed(Prepared()); err != nil {
		t.Fatal(err)
	}
	if n := len(s2.List()); n != 2 {
		t.Fatalf("reseeding brought back a deleted dashboard: %d dashboards", n)
	}
}

func TestImport(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
		check   func(t *testing.T, d Dashboard)
	}{
		{name: "hyperdx with string groupBy and source names", in: `{"version":"0.1.0","name":"Temporal","tiles":[
			{"id":"a","x":0,"y":0,"w":8,"h":10,"config":{"name":"ok","source":"Metrics","displayType":"line",
			 "select":[{"aggFn":"sum","valueExpression":"Value","metricName":"m","metricType":"sum"}],
			 "where":"","whereLanguage":"lucene","groupBy":"ServiceName, SpanAttributes['a,b']","granularity":"auto"}},
			{"id":"b","x":8,"y":0,"w":8,"h":10,"config":{"name":"logs","source":"Demo_Logs","select":[{"aggFn":"count"}]}}],
			"filters":[]}`,
			check: func(t *testing.T, d Dashboard) {
				c := d.Tiles[0].Config
				if c.Source != "metrics" || c.Select[0].MetricName != "m" || len(c.GroupBy) != 2 || c.GroupBy[1] != "SpanAttributes['a,b']" {
					t.Fatalf("tile 0 = %+v", c)
				}
				if d.Tiles[1].Config.Source != "logs" || d.Tiles[0].W != 8 {
					t.Fatalf("tiles = %+v", d.Tiles)
				}
			}},
		{name: "overlook export", in: `{"format":"overlook","version":1,"dashboard":{"name":"X","tiles":[{"x":0,"y":0,"w":4,"h":4,"config":{"name":"t","source":"traces","select":[],"groupBy":["ServiceName"]}}]}}`,
			check: func(t *testing.T, d Dashboard) {
				if d.Name != "X" || d.Tiles[0].Config.GroupBy[0] != "ServiceName" {
					t.Fatalf("got %+v", d)
				}
			}},
		{name: "hyperdx ratio tile with number format", in: `{"version":"0.1.0","name":"RED","tiles":[
			{"id":"e","x":0,"y":0,"w":12,"h":8,"config":{"name":"Error rate","source":"Traces","displayType":"line",
			 "select":[{"aggFn":"count","aggCondition":"StatusCode:Error","aggConditionLanguage":"lucene","valueExpression":""},
			           {"aggFn":"count","aggCondition":"","valueExpression":""}],
			 "where":"","groupBy":"ServiceName","seriesReturnType":"ratio",
			 "numberFormat":{"output":"percent","mantissa":1,"thousandSeparated":true}}},
			{"id":"c","x":12,"y":0,"w":12,"h":8,"config":{"name":"Count","source":"Traces","seriesReturnType":"column","select":[{"aggFn":"count"}]}}]}`,
			check: func(t *testing.T, d Dashboard) {
				c := d.Tiles[0].Config
				if c.SeriesReturnType != "ratio" || len(c.Select) != 2 || c.Select[0].AggCondition != "StatusCode:Error" ||
					c.NumberFormat == nil || c.NumberFormat.Output != "percent" || *c.NumberFormat.Mantissa != 1 || !*c.NumberFormat.ThousandSeparated {
					t.Fatalf("ratio tile = %+v (number format %+v)", c, c.NumberFormat)
				}
				if rt := d.Tiles[1].Config.SeriesReturnType; rt != "" {
					t.Fatalf("column tile seriesReturnType = %q, want empty (the default)", rt)
				}
			}},
		{name: "unknown source", in: `{"name":"X","tiles":[{"config":{"name":"t","source":"Sessions"}}]}`, wantErr: true},
		{name: "no name", in: `{"tiles":[]}`, wantErr: true},
		{name: "not json", in: `[1,2`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseImport([]byte(tc.in))
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidImport) {
					t.Fatalf("err = %v, want ErrInvalidImport", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			tc.check(t, d)
		})
	}
}

func TestExportRoundTrip(t *testing.T) {
	d := servicesRED()
	for _, format := range []string{FormatHyperDX, FormatOverlook} {
		v, err := Export(d, format)
		if err != nil {
			t.Fatalf("export %s: %v", format, err)
		}
		raw, _ := json.Marshal(v)
		back, err := ParseImport(raw)
		if err != nil {
			t.Fatalf("re-import %s: %v\n%s", format, err, raw)
		}
		if !reflect.DeepEqual(tileConfigs(back), tileConfigs(d)) || back.Name != d.Name {
			t.Fatalf("%s round trip changed the dashboard:\n%s", format, raw)
		}
		if rate := back.Tiles[1].Config; rate.SeriesReturnType != "ratio" || rate.NumberFormat.Output != "percent" {
			t.Fatalf("%s round trip lost the error rate's ratio or number format: %+v", format, rate)
		}
	}
	if v, _ := Export(d, FormatHyperDX); !strings.Contains(mustJSON(t, v), `"seriesReturnType":"column"`) {
		t.Fatalf("HyperDX export does not spell out seriesReturnType column: %s", mustJSON(t, v))
	}
	if _, err := Export(d, "grafana"); err == nil {
		t.Fatalf("unknown format accepted")
	}
}

// tileConfigs are d's tile configs with the defaults a HyperDX export
// spells out filled in.
func tileConfigs(d Dashboard) []TileConfig {
	var out []TileConfig
	for _, t := range d.Tiles {
		c := t.Config
		c.WhereLanguage = orDefault(c.WhereLanguage, "lucene")
		c.Granularity = orDefault(c.Granularity, "auto")
		out = append(out, c)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSeedUpgradesUntouchedPrepared: a new release's prepared dashboard
// replaces the old one unless the user saved it since it was seeded.
func TestSeedUpgradesUntouchedPrepared(t *testing.T) {
	v1 := map[string]Dashboard{
		"a": {Name: "A", Tiles: []Tile{{W: 6, H: 4, Config: TileConfig{Name: "count", Source: "traces"}}}},
		"b": {Name: "B", Tiles: []Tile{{W: 6, H: 4, Config: TileConfig{Name: "count", Source: "logs"}}}},
	}
	v2 := map[string]Dashboard{
		"a": {Name: "A", Tiles: []Tile{{W: 6, H: 4, Config: TileConfig{Name: "error rate", Source: "traces"}}}},
		"b": {Name: "B", Tiles: []Tile{{W: 6, H: 4, Config: TileConfig{Name: "error rate", Source: "logs"}}}},
	}
	dir := t.TempDir()
	s, _ := Open(dir)
	if err := s.Seed(v1); err != nil {
		t.Fatal(err)
	}
	byName := func(s *Store) map[string]Dashboard {
		m := map[string]Dashboard{}
		for _, d := range s.List() {
			m[d.Name] = d
		}
		return m
	}
	before := byName(s)
	edited := before["B"]
	edited.Tiles[0].Config.Name = "mine"
	if _, err := s.Update(edited.ID, edited); err != nil {
		t.Fatal(err)
	}
	s2, _ := Open(dir)
	if err := s2.Seed(v2); err != nil {
		t.Fatal(err)
	}
	after := byName(s2)
	if len(after) != 2 {
		t.Fatalf("%d dashboards after upgrade, want 2", len(after))
	}
	if a := after["A"]; a.ID != before["A"].ID || a.Tiles[0].Config.Name != "error rate" {
		t.Errorf("untouched prepared dashboard not upgraded in place: id %s→%s, tile %q", before["A"].ID, a.ID, a.Tiles[0].Config.Name)
	}
	if b := after["B"]; b.Tiles[0].Config.Name != "mine" {
		t.Errorf("user-edited prepared dashboard was overwritten: tile %q", b.Tiles[0].Config.Name)
	}
	// Seeding the same release again changes nothing.
	up := after["A"].UpdatedAt
	s3, _ := Open(dir)
	if err := s3.Seed(v2); err != nil {
		t.Fatal(err)
	}
	if got := byName(s3)["A"].UpdatedAt; !got.Equal(up) {
		t.Errorf("reseeding an unchanged release rewrote the dashboard (%v → %v)", up, got)
	}
}
