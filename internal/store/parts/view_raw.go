package parts

import "strings"

// ViewSQLRaw is the DuckDB SELECT of the named stored columns of the parts
// in files, as stored: TraceId, SpanId and ParentSpanId stay BLOBs of the
// raw IDs instead of ViewSQL's lower-case hex. Comparing the bytes spares
// converting every row's ID to a string, and the comparison can be
// evaluated inside the Parquet scan. With no files the SELECT has no row
// (its columns are then untyped NULLs).
func ViewSQLRaw(files []string, cols ...string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		if len(files) == 0 {
			b.WriteString("NULL AS ")
		}
		b.WriteString(ident(c))
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
