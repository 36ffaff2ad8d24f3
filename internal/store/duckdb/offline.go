package duckdb

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store/parts"
)

// OfflineSQL returns q, a statement over otel_traces and/or otel_logs, for
// a tool that opens the database of a stopped server read-only (tests,
// benchmarks): each table named in q stands for its parts in
// dir/parts/<table> (all of them: a clean stop leaves no WAL and no merge
// inputs behind) and, if db holds any, its DuckDB table's rows. The
// materialised columns are schema.DefaultMaterialized's.
func OfflineSQL(db *sql.DB, dir, q string) (string, error) {
	var ctes []string
	for _, g := range []struct {
		table *schema.Table
		kind  parts.Kind
	}{{&schema.Traces, parts.Traces}, {&schema.Logs, parts.Logs}} {
		sp := &signalParts{table: g.table, kind: g.kind, mat: schema.Default()[g.table.Name], ref: tableRef(g.table.Name)}
		if !sp.ref.MatchString(q) {
			continue
		}
		files, err := filepath.Glob(filepath.Join(dir, PartsDir, g.table.Name, "part-*.parquet"))
		if err != nil {
			return "", fmt.Errorf("list the parts of %s: %w", g.table.Name, err)
		}
		slices.Sort(files)
		var one int
		err = db.QueryRow("SELECT count(*) FROM (SELECT 1 FROM main." + quoteIdent(g.table.Name) + " LIMIT 1)").Scan(&one)
		if err != nil {
			return "", fmt.Errorf("look for rows of %s in the database: %w", g.table.Name, err)
		}
		sp.legacy.Store(one > 0)
		ctes = append(ctes, sp.cte(files))
	}
	return withCTEs(q, ctes), nil
}
