package duckdb

import (
	"fmt"
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

// duckType maps a logical column type to its DuckDB type.
//
// Nested columns become one STRUCT of LISTs, so that `Events.Name` in SQL is
// the array of event names exactly as with a ClickHouse Nested column, and
// `list_contains(Events.Name, 'x')` / `len(Events.Timestamp)` work directly.
// Map columns are MAP(VARCHAR, VARCHAR): `SpanAttributes['http.method']`
// reads like ClickHouse.
func duckType(c schema.Column) string {
	switch c.Type {
	case schema.String:
		return "VARCHAR"
	case schema.Int32:
		return "INTEGER"
	case schema.UInt8:
		return "UTINYINT"
	case schema.UInt32:
		return "UINTEGER"
	case schema.UInt64:
		return "UBIGINT"
	case schema.Float64:
		return "DOUBLE"
	case schema.Bool:
		return "BOOLEAN"
	case schema.Timestamp:
		return "TIMESTAMP_NS"
	case schema.Seconds:
		return "TIMESTAMP"
	case schema.Map:
		return "MAP(VARCHAR, VARCHAR)"
	case schema.ArrayUInt64:
		return "UBIGINT[]"
	case schema.ArrayFloat64:
		return "DOUBLE[]"
	case schema.Nested:
		parts := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			parts[i] = quoteIdent(f.Name) + " " + duckType(f) + "[]"
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	}
	panic(fmt.Sprintf("BUG: no DuckDB type for logical type %d of column %s", c.Type, c.Name))
}

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
		b.WriteString(duckType(c))
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
