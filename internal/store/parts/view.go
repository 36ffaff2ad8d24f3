package parts

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/overlook-dev/overlook/internal/schema"
)

// ViewSQL returns a DuckDB SELECT over the part files whose output
// columns are exactly those of the table the DuckDB store creates for
// kind (schema.Traces or schema.Logs, then the materialised columns of
// mat in order): names, order and DuckDB types. Stored columns are
// converted on the way: BLOB IDs to lowercase hex (the empty string for an empty ID),
// KV groups to MAP(VARCHAR, VARCHAR), lists of Events/Links structs to a
// STRUCT of LISTs, and for logs TimestampTime is derived from Timestamp
// (truncated to the second) and TraceFlags/SeverityNumber cast to
// UTINYINT. A materialised column is its map's value for the key, NULL
// when the map lacks it (derived, not stored). Timestamp and the plain
// columns are passed through unchanged, so DuckDB pushes filters on them
// into the Parquet scan (row group statistics).
//
// With no files it returns a typed empty SELECT (… WHERE false), so SQL
// over it still binds.
func ViewSQL(kind Kind, mat []schema.Materialized, files []string) string {
	return viewSQL(kind, mat, files, false)
}

// ViewSQLRawIDs is ViewSQL with TraceId, SpanId and ParentSpanId the
// stored BLOBs of the raw IDs instead of lower-case hex (the IDs inside
// Events and Links stay hex): a statement that only compares, groups
// and orders IDs (the byte order is the hex order) spares converting
// every row's IDs, and hexes the few it returns.
func ViewSQLRawIDs(kind Kind, mat []schema.Materialized, files []string) string {
	return viewSQL(kind, mat, files, true)
}

func viewSQL(kind Kind, mat []schema.Materialized, files []string, rawIDs bool) string {
	t := kind.table()
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		raw := rawIDs && isID(c.Name)
		if len(files) == 0 {
			typ := schema.DuckDBType(c)
			if raw {
				typ = "BLOB"
			}
			fmt.Fprintf(&b, "CAST(NULL AS %s) AS %s", typ, ident(c.Name))
			continue
		}
		if raw {
			b.WriteString(ident(c.Name))
		} else {
			b.WriteString(columnExpr(kind, c))
		}
		b.WriteString(" AS ")
		b.WriteString(ident(c.Name))
	}
	for _, m := range mat {
		b.WriteString(", ")
		if len(files) == 0 {
			fmt.Fprintf(&b, "CAST(NULL AS VARCHAR) AS %s", ident(m.Column()))
			continue
		}
		fmt.Fprintf(&b, "%s.\"values\"[list_position(%s.\"keys\", %s)] AS %s",
			ident(m.Map), ident(m.Map), literal(m.Key), ident(m.Column()))
	}
	if len(files) == 0 {
		b.WriteString(" WHERE false")
		return b.String()
	}
	b.WriteString(" FROM read_parquet([")
	for i, f := range files {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(literal(f))
	}
	b.WriteString("]) AS p")
	return b.String()
}

// ViewSQLTrace is ViewSQL restricted to the rows whose TraceId is
// traceID (32 hex characters, any case). The filter is on the stored
// BLOB column, inside the Parquet scan: DuckDB compares bytes instead of
// converting every row's ID to hex first. A malformed traceID selects
// no row.
func ViewSQLTrace(kind Kind, mat []schema.Materialized, files []string, traceID string) string {
	q := ViewSQL(kind, mat, files)
	if len(files) == 0 {
		return q
	}
	id, err := hex.DecodeString(traceID)
	if err != nil || len(id) != 16 {
		return q + " WHERE false"
	}
	return q + " WHERE p.\"TraceId\" = unhex('" + hex.EncodeToString(id) + "')"
}

// columnExpr is the expression of stored column c as the DuckDB store's type.
func columnExpr(kind Kind, c schema.Column) string {
	q := ident(c.Name)
	switch {
	case c.Type == schema.Map:
		return mapExpr(q)
	case isID(c.Name):
		return "lower(hex(" + q + "))"
	case kind == Logs && c.Name == "TimestampTime":
		return `make_timestamp(epoch_ns("Timestamp") // 1000000000 * 1000000)`
	case kind == Logs && (c.Name == "TraceFlags" || c.Name == "SeverityNumber"):
		return "CAST(" + q + " AS UTINYINT)"
	case c.Type == schema.Nested:
		parts := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			e := "e." + ident(f.Name)
			switch {
			case f.Type == schema.Map:
				e = mapExpr(e)
			case f.Name == "TraceId" || f.Name == "SpanId":
				e = "lower(hex(" + e + "))"
			}
			parts[i] = fmt.Sprintf("%s := list_transform(%s, lambda e: %s)", ident(f.Name), q, e)
		}
		return "struct_pack(" + strings.Join(parts, ", ") + ")"
	}
	return q
}

// isID tells the top-level ID columns, stored as raw bytes.
func isID(name string) bool {
	return name == "TraceId" || name == "SpanId" || name == "ParentSpanId"
}

func mapExpr(kv string) string {
	return "map(" + kv + `."keys", ` + kv + `."values")`
}

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
