package duckdb

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/overlook-dev/overlook/internal/schema"
	"github.com/overlook-dev/overlook/internal/store"
)

// MaxReadAttributes bounds the entries of each attribute map a search or
// trace view materialises per row. Ingest caps attributes (OTel limits),
// but rows stored before that, or by another writer, can hold any number:
// one log with 100k attributes made every search returning it take 45 s
// (issue 9, finding 4). Beyond the cap a map keeps its first
// MaxReadAttributes entries in stored order; docs/limits.md.
const MaxReadAttributes = 1000

// selectList is the SELECT list reading every column of t, in schema order,
// attribute maps capped at MaxReadAttributes entries.
func selectList(t *schema.Table) string {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		q := quoteIdent(c.Name)
		if c.Type == schema.Map {
			q = fmt.Sprintf("CASE WHEN cardinality(%[1]s) > %[2]d THEN map_from_entries(list_slice(map_entries(%[1]s), 1, %[2]d)) ELSE %[1]s END AS %[1]s",
				q, MaxReadAttributes)
		}
		cols[i] = q
	}
	return strings.Join(cols, ", ")
}

// scanRows reads every row of rs (selected with selectList(t)) as
// store.Rows: maps as map[string]string, timestamps as UTC time.Time,
// signed integers as int64, unsigned as uint64, arrays as typed slices,
// Nested columns flattened to dotted keys ("Events.Name": []string).
func scanRows(rs *sql.Rows, t *schema.Table) ([]store.Row, error) {
	defer rs.Close()
	vals := make([]any, len(t.Columns))
	ptrs := make([]any, len(t.Columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []store.Row
	for rs.Next() {
		if err := rs.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("scan %s: %w", t.Name, err)
		}
		row := make(store.Row, len(t.Columns)+8)
		for i, c := range t.Columns {
			if c.Type == schema.Nested {
				m, _ := vals[i].(map[string]any)
				for _, f := range c.Fields {
					row[c.Name+"."+f.Name] = listValue(f, m[f.Name])
				}
				continue
			}
			row[c.Name] = value(c.Type, vals[i])
		}
		out = append(out, row)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", t.Name, err)
	}
	return out, nil
}

// value converts a scanned driver value of logical type t; NULL becomes
// the type's zero value.
func value(t schema.Type, v any) any {
	switch t {
	case schema.String:
		s, _ := v.(string)
		return s
	case schema.Int32:
		return toInt64(v)
	case schema.UInt8, schema.UInt32, schema.UInt64:
		return toUint64(v)
	case schema.Float64:
		f, _ := v.(float64)
		return f
	case schema.Bool:
		b, _ := v.(bool)
		return b
	case schema.Timestamp, schema.Seconds:
		tm, _ := v.(time.Time)
		return tm.UTC()
	case schema.Map:
		return toStringMap(v)
	case schema.ArrayUInt64:
		l, _ := v.([]any)
		out := make([]uint64, len(l))
		for i, x := range l {
			out[i] = toUint64(x)
		}
		return out
	case schema.ArrayFloat64:
		l, _ := v.([]any)
		out := make([]float64, len(l))
		for i, x := range l {
			out[i], _ = x.(float64)
		}
		return out
	}
	return v
}

// listValue converts the list of one Nested field to a typed slice.
func listValue(f schema.Column, v any) any {
	l, _ := v.([]any)
	switch f.Type {
	case schema.String:
		out := make([]string, len(l))
		for i, x := range l {
			out[i], _ = x.(string)
		}
		return out
	case schema.Int32:
		out := make([]int64, len(l))
		for i, x := range l {
			out[i] = toInt64(x)
		}
		return out
	case schema.UInt8, schema.UInt32, schema.UInt64:
		out := make([]uint64, len(l))
		for i, x := range l {
			out[i] = toUint64(x)
		}
		return out
	case schema.Float64:
		out := make([]float64, len(l))
		for i, x := range l {
			out[i], _ = x.(float64)
		}
		return out
	case schema.Timestamp, schema.Seconds:
		out := make([]time.Time, len(l))
		for i, x := range l {
			tm, _ := x.(time.Time)
			out[i] = tm.UTC()
		}
		return out
	case schema.Map:
		out := make([]map[string]string, len(l))
		for i, x := range l {
			out[i] = toStringMap(x)
		}
		return out
	}
	out := make([]any, len(l))
	copy(out, l)
	return out
}

func toStringMap(v any) map[string]string {
	om, ok := v.(duckdb.OrderedMap)
	if !ok {
		return map[string]string{}
	}
	keys, vals := om.Keys(), om.Values()
	m := make(map[string]string, len(keys))
	for i, k := range keys {
		ks, _ := k.(string)
		vs, _ := vals[i].(string)
		m[ks] = vs
	}
	return m
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	}
	return 0
}

func toUint64(v any) uint64 {
	switch x := v.(type) {
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case uint64:
		return x
	}
	return 0
}
