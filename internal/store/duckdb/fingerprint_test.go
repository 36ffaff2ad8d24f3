package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
	"github.com/overlook-dev/overlook/internal/store/storetest"
)

// fingerprints returns, per metrics table, the fingerprint of every row
// keyed by the row's identity columns (as text) and the number of rows
// without one.
func fingerprints(t *testing.T, db *sql.DB) (map[string]uint64, int) {
	t.Helper()
	out := map[string]uint64{}
	missing := 0
	for _, tbl := range metricsTables {
		k := kindOfTable(tbl)
		q := fmt.Sprintf("SELECT concat_ws('|', %s)::VARCHAR, SeriesFingerprint FROM %s",
			strings.Join(identity(k), "::VARCHAR, "), quoteIdent(tbl.Name))
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			var fp sql.Null[uint64]
			if err := rows.Scan(&id, &fp); err != nil {
				t.Fatal(err)
			}
			if !fp.Valid {
				missing++
				continue
			}
			key := tbl.Name + "|" + id
			if prev, ok := out[key]; ok && prev != fp.V {
				t.Errorf("%s: rows of one series have fingerprints %x and %x", key, prev, fp.V)
			}
			out[key] = fp.V
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out, missing
}

func TestFingerprintIgnoresAttributeOrder(t *testing.T) {
	build := func(keys ...string) uint64 {
		md := pmetric.NewMetrics()
		rm := md.ResourceMetrics().AppendEmpty()
		for _, k := range keys {
			rm.Resource().Attributes().PutStr("r."+k, k)
		}
		g := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		g.SetName("g")
		dp := g.SetEmptyGauge().DataPoints().AppendEmpty()
		for _, k := range keys {
			dp.Attributes().PutStr(k, "v-"+k)
		}
		cs := metricChunks(md, store.MetricsExt{})
		defer func() {
			for _, c := range cs {
				freeChunks(c.chunks)
			}
		}()
		v := bindings.DataChunkGetVector(cs[0].chunks[0], bindings.IdxT(chunkLayouts()[tblGauge].col(schema.SeriesFingerprint)))
		return fixed[uint64](v, 1)[0]
	}
	cases := []struct {
		name string
		a, b []string
		same bool
	}{
		{"same entries, other order", []string{"a", "b", "c"}, []string{"c", "a", "b"}, true},
		{"one entry more", []string{"a", "b"}, []string{"a", "b", "c"}, false},
		{"other entries", []string{"a", "b"}, []string{"a", "x"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := build(c.a...) == build(c.b...); got != c.same {
				t.Errorf("same fingerprint: %v, want %v", got, c.same)
			}
		})
	}
}

// TestFingerprintMigration stores metrics, rebuilds the database as schema
// version 2 wrote it (metrics tables without the version-3 columns) and
// opens it: every row must get the fingerprint the insert path computed,
// with the fill running in several batches.
func TestFingerprintMigration(t *testing.T) {
	defer func(n int64) { backfillBatchRows = n }(backfillBatchRows)
	backfillBatchRows = 3
	ctx := context.Background()
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	src := t.TempDir()
	s := openMat(t, src, nil)
	for i := range 4 {
		md := storetest.SampleMetricsAt(base.Add(time.Duration(i) * time.Minute))
		md.ResourceMetrics().At(0).Resource().Attributes().PutStr("host.name", fmt.Sprintf("h%d", i%2))
		if err := s.InsertMetrics(ctx, md); err != nil {
			t.Fatal(err)
		}
	}
	want, missing := fingerprints(t, s.db)
	if missing != 0 || len(want) < 10 {
		t.Fatalf("%d series, %d rows without a fingerprint", len(want), missing)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	db, err := sql.Open("duckdb", filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	stmts := []string{"ATTACH '" + filepath.Join(src, FileName) + "' AS src (READ_ONLY)"}
	for _, q := range ddl() {
		if !strings.Contains(q, "otel_metrics") {
			stmts = append(stmts, q)
		}
	}
	for _, tbl := range metricsTables {
		v2 := *tbl
		v2.Columns = v2.Columns[:len(tbl.Columns)-versionThreeColumns(tbl)]
		var names []string
		for _, c := range v2.Columns {
			names = append(names, quoteIdent(c.Name))
		}
		stmts = append(stmts, createTableSQL(&v2),
			fmt.Sprintf("INSERT INTO %s SELECT %s FROM src.%s", quoteIdent(tbl.Name), strings.Join(names, ", "), quoteIdent(tbl.Name)))
	}
	stmts = append(stmts, "INSERT INTO "+versionTable+" (version) VALUES (2)", "DETACH src")
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s = openMat(t, dir, nil)
	defer s.Close()
	got, missing := fingerprints(t, s.db)
	if missing != 0 {
		t.Fatalf("%d rows without a fingerprint after the migration", missing)
	}
	for k, fp := range want {
		if got[k] != fp {
			t.Errorf("%s: fingerprint %x after the migration, %x at insert", k, got[k], fp)
		}
	}
	var v, pending int
	if err := s.db.QueryRow("SELECT max(version), (SELECT count(*) FROM "+backfillTable+") FROM "+versionTable).Scan(&v, &pending); err != nil {
		t.Fatal(err)
	}
	if v != schemaVersion || pending != 0 {
		t.Errorf("version %d, %d backfills pending; want %d, 0", v, pending, schemaVersion)
	}
	// Points inserted after the migration join the migrated series.
	if err := s.InsertMetrics(ctx, storetest.SampleMetricsAt(base.Add(10*time.Minute))); err != nil {
		t.Fatal(err)
	}
	fingerprints(t, s.db)
}

// versionThreeColumns is the number of columns schema version 3 added to
// the end of a metrics table.
func versionThreeColumns(tbl *schema.Table) int {
	for i, c := range tbl.Columns {
		if c.Name == "ZeroThreshold" || c.Name == "HasSum" || c.Name == schema.SeriesFingerprint {
			return len(tbl.Columns) - i
		}
	}
	return 0
}
