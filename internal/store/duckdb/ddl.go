package duckdb

import (
	"strings"

	"github.com/overlook-dev/overlook/internal/schema"
)

// schemaVersion is the version of the physical layout written by this code.
// It is recorded in overlook_schema_version so that a later release can
// migrate (or refuse) an older file. Bump it whenever ddl changes in a way
// an existing file does not already satisfy.
//
//	1: the schema's tables (createTableSQL).
//	2: plus the default materialised attribute columns (materialized.go).
//	3: plus the metrics tables' SeriesFingerprint, ZeroThreshold and
//	   Prometheus extension columns (migrate.go).
//	4: plus the metric family metadata table (metric_metadata.go).
const schemaVersion = 4

// versionTable records which schemaVersion created/migrated the file.
const versionTable = "overlook_schema_version"

// quoteIdent quotes an identifier for DuckDB.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// createTableSQL returns the CREATE TABLE statement of t.
func createTableSQL(t *schema.Table) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS ")
	b.WriteString(quoteIdent(t.Name))
	b.WriteString(" (\n")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  ")
		b.WriteString(quoteIdent(c.Name))
		b.WriteByte(' ')
		b.WriteString(schema.DuckDBType(c))
	}
	b.WriteString("\n)")
	return b.String()
}

// ddl returns every statement that creates the schema, idempotently.
func ddl() []string {
	stmts := []string{
		"CREATE TABLE IF NOT EXISTS " + versionTable +
			" (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)",
		backfillDDL(),
		metricMetadataDDL,
	}
	for _, t := range schema.Tables {
		stmts = append(stmts, createTableSQL(t))
	}
	return stmts
}
