package schema

import (
	"fmt"
	"strings"
)

// DuckDBType is the DuckDB type of a logical column, as the embedded store
// declares it (internal/store/duckdb's DDL) and as the parts layout's view
// exposes it (internal/store/parts): Timestamp TIMESTAMP_NS, Seconds
// TIMESTAMP, Map MAP(VARCHAR, VARCHAR), and a Nested column a STRUCT of
// LISTs, so that Events.Name is the array of event names exactly as with a
// ClickHouse Nested column.
func DuckDBType(c Column) string {
	switch c.Type {
	case String:
		return "VARCHAR"
	case Int32:
		return "INTEGER"
	case UInt8:
		return "UTINYINT"
	case UInt32:
		return "UINTEGER"
	case UInt64:
		return "UBIGINT"
	case Float64:
		return "DOUBLE"
	case Bool:
		return "BOOLEAN"
	case Timestamp:
		return "TIMESTAMP_NS"
	case Seconds:
		return "TIMESTAMP"
	case Map:
		return "MAP(VARCHAR, VARCHAR)"
	case ArrayUInt64:
		return "UBIGINT[]"
	case ArrayFloat64:
		return "DOUBLE[]"
	case Nested:
		parts := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			parts[i] = `"` + strings.ReplaceAll(f.Name, `"`, `""`) + `" ` + DuckDBType(f) + "[]"
		}
		return "STRUCT(" + strings.Join(parts, ", ") + ")"
	}
	panic(fmt.Sprintf("BUG: no DuckDB type for logical type %d of column %s", c.Type, c.Name))
}
